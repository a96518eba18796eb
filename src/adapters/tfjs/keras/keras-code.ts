/**
 * Everything the Keras formats run (the `.weights.h5` and `.keras` readers and writers, the tfjs mapping, the
 * h5wasm loader), as one module that the rest of ckpt/tfjs imports dynamically (see `kerasCode`): a browser
 * bundle fetches it as a chunk of its own, at the first Keras call only.
 * Loading it registers ckpt's tfjs classes for what tfjs lacks (custom/register.ts, imported by model-file.ts).
 */
export { saveKerasWeights, loadKerasWeights } from './weights-h5.js'
export { saveKerasModel, loadKerasModel, encodeKerasModel, decodeKerasModel, loadKerasArchiveWeights } from './model-file.js'
export { kerasWeightsFile } from './weights.js'
export { kerasModelFiles, kerasWeightsFiles } from './serializer-files.js'
