/** Keras 3 file formats (`.weights.h5`, `.keras`) for tfjs models. h5wasm is loaded on first use. */
export { saveKerasWeights, loadKerasWeights } from './tfjs.js'
export { saveKerasModel, loadKerasModel, encodeKerasModel, decodeKerasModel, KERAS_FORMAT_VERSION, type LoadedKerasModel } from './keras-file.js'
export { kerasWeightsFile, applyKerasWeightsFile, type KerasWeightsOptions, type OptimizerOutcome } from './tfjs-weights.js'
export { kerasWeightsSerializer, kerasModelSerializer } from './serializer.js'
export { supportedLayers } from './layers.js'
export { KERAS_OPTIMIZERS } from './optimizer.js'
export { CkptKerasError, type KerasFormatError } from './errors.js'
export type { WeightsFile, VarsGroup, KerasArray, KerasDtype } from './weights-file.js'
