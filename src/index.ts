/**
 * ckpt: decide when to save a training checkpoint, name it, write it safely, and resume exactly where training stopped.
 *
 * The root entry is the documented API (listed in the README), and nothing else:
 * - errors: the one error class every failure is an instance of;
 * - policy (pure): Keras ModelCheckpoint decisions as a reducer, retention, composable rules, `simulate`;
 * - format (pure): Python `str.format` filename templates;
 * - tensors (pure): the safetensors container;
 * - checkpointer: the effectful shell that saves, lists, prunes and restores through a Storage;
 * - storage: the Storage interface and its error, as users of an adapter see them.
 *
 * Adapters live at `ckpt/storage/fs`, `ckpt/storage/memory` and `ckpt/storage/s3`; what adapter authors need
 * at `ckpt/storage`; the conformance suite and fault injection at `ckpt/testing`; TensorFlow.js at `ckpt/tfjs`.
 */
export { CkptError, isCkptError, type ErrorValue } from './errors/ckpt-error.js'

export {
  formatTemplate,
  parseTemplate,
  type Template,
  type TemplateError,
  type TemplateValue,
  type TemplateValues,
} from './format/index.js'

export {
  afterSeconds,
  allOf,
  anyOf,
  bestOf,
  decodePolicyOptions,
  decodePolicyState,
  decodeRetentionOptions,
  everyEpochs,
  everySteps,
  finishedSavingMessage,
  initialPolicyState,
  isSave,
  not,
  onBatchEnd,
  onEpochEnd,
  policyReducer,
  retain,
  simulate,
  validateRule,
  whenImproved,
  type AnyRule,
  type BestSoFar,
  type CheckpointRecord,
  type ConfigError,
  type ConfigIssue,
  type Decision,
  type Direction,
  type PolicyConfig,
  type PolicyError,
  type PolicyOptions,
  type PolicyReducerOptions,
  type PolicyState,
  type Ranking,
  type Reducer,
  type RetentionOptions,
  type RetentionResult,
  type Rule,
  type Save,
  type SaveFreq,
  type SaveLastOptions,
  type Since,
  type SimulatedDecision,
  type SimulatedEvent,
  type Skip,
  type StepCounter,
  type TrainingEvent,
} from './policy/index.js'

export {
  DTYPES,
  SafetensorsEncodeError,
  bf16BitsToF32Bits,
  decodeSafetensors,
  decodeSafetensorsStream,
  encodeHeader,
  encodeSafetensors,
  encodeSafetensorsOrThrow,
  f16BitsToF32Bits,
  MAX_TENSOR_BYTES,
  safetensorsByteLength,
  type DecodeOptions,
  type DecodedSafetensors,
  type Dtype,
  type LayoutEntry,
  type Metadata,
  type SafetensorsError,
  type SafetensorsLayout,
  type Tensor,
  type TensorData,
  type Tensors,
} from './tensors/index.js'

export {
  CheckpointFailure,
  INDEX_KEY,
  createCheckpointer,
  exportCheckpoint,
  exportRun,
  importCheckpoints,
  readShardedSafetensors,
  safetensorsSerializer,
  type ArchiveError,
  type ArchiveSource,
  type ArtifactReader,
  type ArtifactWriter,
  type BlobLike,
  type ByteStreamLike,
  type CheckpointArchive,
  type BatchEndEvent,
  type CheckpointError,
  type CheckpointMeta,
  type Checkpointer,
  type CheckpointerOptions,
  type CheckpointerOwnOptions,
  type Entry,
  type EpochEndEvent,
  type FileRecord,
  type ImportOptions,
  type Imported,
  type IndexDoc,
  type ResponseLike,
  type Restored,
  type RestoreOptions,
  type ScannedCheckpoint,
  type SafetensorsSerializerOptions,
  type Serializer,
  type ShardedSafetensors,
  type ShardedSafetensorsError,
  type SnapshotSource,
  type StepOutcome,
  type Which,
  type WrittenFile,
} from './checkpointer/index.js'

export {
  StorageFailure,
  asStorageError,
  isStorageFailure,
  type ByteRange,
  type Capabilities,
  type ObjectInfo,
  type Storage,
  type StorageError,
  type StorageErrorTag,
  type StorageFailed,
  type WriteData,
  type WriteOptions,
} from './storage/index.js'
