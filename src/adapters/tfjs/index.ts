/**
 * TensorFlow.js adapter: the ModelCheckpoint callback, exact resume, backends, an IOHandler over any ckpt Storage,
 * snapshots, weights and whole models.
 */
export { modelCheckpoint, ModelCheckpoint, type ModelCheckpointOptions } from './callback.js'
export { restoreLatest, restoreBest, applyArtifacts, fitResumable, type RestoredTraining, type FitResumableOptions } from './resume.js'
export { checkpointFormat, supportedEndings, type CheckpointFormat } from './checkpoint-format.js'
export { tfjsLayersSerializer, tfjsWeightsSerializer, TFJS_LAYERS_FORMAT, SAFETENSORS_FORMAT } from './serializers.js'
export { useBackend, supportedBackends, type BackendName, type UseBackendOptions } from './backend.js'
export { storageIOHandler } from './io-handler.js'
export { saveModel, loadModel, CKPT_METADATA_KEY, type SaveModelOptions } from './model.js'
export { modelWeights, saveWeights, loadWeights, weightMismatches, type WeightSpec } from './weights.js'
export { takeSnapshot, readSnapshot, disposeSnapshot, type WeightsSnapshot, type SnapshotData, type SnapshotOptions } from './snapshot.js'
export { assertCheckpointableOptimizer, checkpointableOptimizer, checkpointableOptimizers, type HiddenOptimizerState } from './optimizer.js'
export { CkptTfjsError, type TfjsAdapterError, type WeightMismatch } from './errors.js'
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
} from './keras.js'
