/** Keras 3 formats for tfjs models (see docs/keras-interop.md); re-exported for the `ckpt/tfjs` entry. */
export {
  saveKerasWeights,
  loadKerasWeights,
  saveKerasModel,
  loadKerasModel,
  kerasWeightsFile,
  encodeKerasModel,
  kerasWeightsSerializer,
  kerasModelSerializer,
  CkptKerasError,
  type KerasFormatError,
  type LoadedKerasModel,
  type OptimizerOutcome,
  type KerasWeightsOptions,
} from '../../keras/index.js'
