/** TensorFlow.js adapter: backends, an IOHandler over any ckpt Storage, snapshots, weights and whole models. */
export { useBackend, supportedBackends, type BackendName, type UseBackendOptions } from './backend.js'
export { storageIOHandler } from './io-handler.js'
export { saveModel, loadModel, CKPT_METADATA_KEY, type SaveModelOptions } from './model.js'
export { modelWeights, saveWeights, loadWeights, weightMismatches, type WeightSpec } from './weights.js'
export { takeSnapshot, readSnapshot, disposeSnapshot, type WeightsSnapshot, type SnapshotData, type SnapshotOptions } from './snapshot.js'
export { assertCheckpointableOptimizer, checkpointableOptimizer, checkpointableOptimizers, type HiddenOptimizerState } from './optimizer.js'
export { CkptTfjsError, type TfjsAdapterError, type WeightMismatch } from './errors.js'
