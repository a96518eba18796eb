/** Keras 3 formats for tfjs models (see docs/keras-interop.md); re-exported for the `ckpt/tfjs` entry. */
export { saveKerasWeights, loadKerasWeights } from './keras/weights-h5.js'
export { saveKerasModel, loadKerasModel, encodeKerasModel, type LoadedKerasModel } from './keras/model-file.js'
export { kerasWeightsFile, type OptimizerOutcome, type KerasWeightsOptions } from './keras/weights.js'
export { kerasWeightsSerializer, kerasModelSerializer } from './keras/serializers.js'
export { CkptKerasError, type KerasFormatError } from '../../keras/errors.js'
