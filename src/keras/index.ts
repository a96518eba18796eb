/**
 * Keras 3 file formats (`.weights.h5`, `.keras`), framework-free: layer descriptions, tensor records and
 * plain JSON in, Keras structures and file bytes out. h5wasm is loaded on first use. The tfjs mapping is in
 * `src/adapters/tfjs/keras/`.
 */
export { encodeWeightsH5, decodeWeightsH5 } from './h5.js'
export {
  encodeKerasArchive,
  decodeKerasArchive,
  kerasModelConfig,
  KERAS_FORMAT_VERSION,
  type KerasArchive,
  type KerasArchiveParts,
} from './keras-file.js'
export { layerWeightsFile, layerWeightValues, weightKey } from './layer-weights.js'
export { tfjsToKerasConfig, kerasToTfjsConfig, kerasLayerOrder } from './config.js'
export { kerasCompileConfig, tfjsOptimizerSpec, type OptimizerSettings, type TfjsOptimizerSpec } from './compile-config.js'
export { kerasWeightsSupport, kerasModelSupport } from './checkpointable.js'
export { supportedLayers, type LayerInfo } from './layers.js'
export { KERAS_OPTIMIZERS } from './supported.js'
export { CkptKerasError, type KerasFormatError } from './errors.js'
export type { WeightMismatch } from './weight-mismatch.js'
export type { WeightsFile, VarsGroup, KerasArray, KerasDtype } from './weights-file.js'
