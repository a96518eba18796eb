import { nextTurn } from '#platform/next-turn.js'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import { createCheckpointer, type Checkpointer, type Entry, type StepOutcome } from '../../checkpointer/index.js'
import { checkpointerOwnKeys, decodeCheckpointerOptions } from '../../checkpointer/options.js'
import type { AnyRule, PolicyOptions, SaveFreq } from '../../policy/index.js'
import type { Storage } from '../../storage/storage.js'
import { modelCapturer, releaseCapture, type ModelCapture, type ModelDescription } from './capture.js'
import { checkLastFilepath, checkpointFormat, isKerasFormat, type CheckpointFormat } from './checkpoint-format.js'
import { fail } from './errors.js'
import { assertKerasCheckpointable, kerasCheckpointable, kerasSnapshot } from './keras-checkpoint.js'
import { tfjsSequentialView } from './sequential-view.js'
import { assertCheckpointableOptimizer } from './optimizer.js'
import { serializerFor, type CheckpointSnapshot } from './serializers.js'

/**
 * Options of {@link modelCheckpoint}: Keras's ModelCheckpoint options in camelCase (`filepath`, `monitor`,
 * `mode`, `saveBestOnly`, `saveWeightsOnly`, `saveFreq`, `initialValueThreshold`, `verbose`, `minDelta`), the
 * retention options (`saveTopK`, `maxToKeep`, `keepPeriod`, `keepTimeInterval`, `keepLatest`, `keepBest`), `saveLast`
 * and `lastFilepath` (whose ending must pick the format filepath's does), and these.
 */
export interface ModelCheckpointOptions extends PolicyOptions {
  /** Where checkpoints and their index go. Required (fsStorage(dir), memoryStorage(), s3Storage({...})). */
  readonly storage: Storage
  /** Write in the background; `fit` waits only for the snapshot. Default `false` (each save is committed before `fit` goes on). */
  readonly async?: boolean
  /** On a path clash, save as `name-v1…` instead of overwriting (Lightning). Default `false`. */
  readonly enableVersionCounter?: boolean
  /** Where verbose messages and warnings go. Default `console.log`. */
  readonly log?: (line: string) => void
  /** This process's rank among several writers; only rank 0 writes. Default 0. */
  readonly rank?: number
  /** Overrides the rank rule. Default `rank === 0`. */
  readonly isChief?: boolean
  /** Replaces `saveFreq` as the trigger (see docs/custom-rules.md). */
  readonly trigger?: AnyRule
  /**
   * Take the folder's writer lock before the first write. Default `true`. A browser page reloaded mid-training
   * leaves its lock for `lockStaleAfter`: pages that keep to one writer themselves (a Web Lock) pass `false`.
   */
  readonly writerLock?: boolean
  /** A writer lock whose owner has shown no heartbeat for this long (ms) is taken over. Default 15 minutes. */
  readonly lockStaleAfter?: number
}

/** Options the adapter sets itself. */
const adapterOwned = ['serializer', 'immutableSnapshots'] as const
/** The Checkpointer's options a caller may pass here: an unknown option's message lists these beside the policy's. */
const ownKeys = checkpointerOwnKeys.filter((k) => k !== 'maxShardSize' && !(adapterOwned as ReadonlyArray<string>).includes(k))

type Logs = Record<string, number | tf.Scalar> | undefined

const yieldToEventLoop = nextTurn

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now())

/** The share of training time a batch boundary may spend moving a background save forward. */
const DRAIN_SHARE = 0.05
/** Bounds of that time per boundary, in ms. */
const DRAIN_MIN_MS = 0.5
const DRAIN_MAX_MS = 50

/** The logs as numbers: numbers as they are, scalar tensors read (`await data()`), never disposed; `skip` keys dropped. */
const numericLogs = async (logs: Logs, skip: ReadonlyArray<string> = []): Promise<Record<string, number>> => {
  const out = Object.create(null) as Record<string, number>
  if (logs == null) return out
  for (const [key, v] of Object.entries(logs)) {
    if (skip.includes(key)) continue
    if (typeof v === 'number') out[key] = v
    else if (v instanceof tf.Tensor && v.size === 1 && !v.isDisposed) out[key] = (await v.data())[0] as number
  }
  return out
}

/**
 * A tfjs-layers callback (a `tf.Callback`) that runs a ckpt Checkpointer: `model.fit(x, y, { callbacks: [cb] })`
 * and `model.fitDataset(ds, { callbacks: [cb] })`. Create it with {@link modelCheckpoint}.
 */
export class ModelCheckpoint extends tfl.Callback {
  /** The format the filepath's ending selected. */
  readonly format: CheckpointFormat
  /** What the last event did, or `null` before the first. */
  lastOutcome: StepOutcome | null = null
  private readonly options: ModelCheckpointOptions
  private readonly saveFreq: SaveFreq
  private readonly readsBatchLogs: boolean
  private readonly capturer = modelCapturer()
  private readonly captures = new Set<ModelCapture>()
  private readonly filepath: string
  private checkpointer: Checkpointer<CheckpointSnapshot, unknown> | null = null
  private description: ModelDescription | null = null
  private epoch = 0
  private lastBoundary = 0

  constructor(options: ModelCheckpointOptions) {
    super()
    if (typeof options !== 'object' || options === null)
      fail({
        _tag: 'InvalidOptions',
        message: `ckpt/tfjs: modelCheckpoint(options): got ${String(options)}; expected an object of options`,
      })
    for (const key of adapterOwned)
      if (key in options)
        fail({ _tag: 'InvalidOptions', message: `ckpt/tfjs: modelCheckpoint option '${key}' is set by the tfjs adapter itself; remove it` })
    // Sharding is the default serializer's; the tfjs formats are read back (loadWeights, restoreLatest) as one file.
    if ('maxShardSize' in options)
      fail({
        _tag: 'InvalidOptions',
        message:
          "ckpt/tfjs: modelCheckpoint does not shard: option 'maxShardSize' is for createCheckpointer with tensor records (the default safetensors serializer); remove it",
      })
    const decoded = decodeCheckpointerOptions(options, ownKeys)
    if (E.isLeft(decoded)) fail({ _tag: 'InvalidOptions', message: `ckpt/tfjs: modelCheckpoint: ${decoded.left.message}` })
    const config = (
      decoded as E.Right<{ policy: { saveFreq: SaveFreq; saveWeightsOnly: boolean; filepath: string; lastFilepath: string | null } }>
    ).right.policy
    const format = checkpointFormat(config.filepath, config.saveWeightsOnly)
    if (E.isLeft(format)) fail(format.left)
    this.format = (format as E.Right<CheckpointFormat>).right
    if (config.lastFilepath !== null) {
      const last = checkLastFilepath(config.lastFilepath, this.format)
      if (E.isLeft(last)) fail(last.left)
    }
    this.options = options
    this.filepath = config.filepath
    this.saveFreq = config.saveFreq
    this.readsBatchLogs = config.saveFreq !== 'epoch' || options.trigger !== undefined
    // tfjs calls hooks as methods, but a callback list whose first element is a plain object wraps every
    // element and calls the hooks with another `this`: bind them, so that case reaches onTrainBegin's clear error.
    this.onTrainBegin = this.onTrainBegin.bind(this)
    this.onEpochBegin = this.onEpochBegin.bind(this)
    this.onEpochEnd = this.onEpochEnd.bind(this)
    this.onBatchEnd = this.onBatchEnd.bind(this)
    this.onTrainEnd = this.onTrainEnd.bind(this)
  }

  /**
   * Called by `fit` before training: refuses, before any epoch runs, a model whose optimizer cannot be
   * checkpointed, or (Keras formats) a layer, optimizer or loss with no exact Keras 3 equivalent.
   */
  override setModel(model: tf.serialization.Serializable | tfl.LayersModel): void {
    super.setModel(model as tfl.LayersModel)
    this.assertCheckpointable(model as tfl.LayersModel)
  }

  /** Throws, naming what does not map, if the selected format cannot hold the model. Reads no weight (see onTrainBegin's dry run). */
  private assertCheckpointable(model: tfl.LayersModel): void {
    if (this.format === 'tfjs-layers') assertCheckpointableOptimizer(model)
    else if (isKerasFormat(this.format)) {
      const checked = kerasCheckpointable(this.format, this.filepath, model)
      if (E.isLeft(checked)) throw checked.left
    }
  }

  private get trainedModel(): tfl.LayersModel {
    const model = this.model as tfl.LayersModel | null
    if (model == null)
      return fail({
        _tag: 'NoModel',
        message:
          'ckpt/tfjs: modelCheckpoint received no model. tfjs gives callbacks the model only when the first element of `callbacks` is a tf.Callback: put modelCheckpoint(...) first, or wrap plain-object callbacks in `new tf.CustomCallback({...})`',
      })
    return model
  }

  /** Opens (or reopens) the Checkpointer on the storage; an existing index resumes the policy state. */
  private async open(): Promise<Checkpointer<CheckpointSnapshot, unknown>> {
    if (this.checkpointer === null) {
      this.checkpointer = await createCheckpointer<CheckpointSnapshot, unknown>({
        ...this.options,
        serializer: serializerFor(this.format),
        immutableSnapshots: true,
      })
    }
    return this.checkpointer
  }

  /** Rethrows, once, a background save's failure. */
  private surface(): void {
    this.checkpointer?.rethrowFailure()
  }

  /**
   * The snapshot of a save, taken when the Checkpointer decides to save: a capture of the model's tensors, or
   * for the Keras formats the weights file / archive bytes built now from the model (fresh copies).
   */
  private readonly source = async (): Promise<CheckpointSnapshot> => {
    if (isKerasFormat(this.format)) return kerasSnapshot(this.format, this.filepath, this.trainedModel)
    for (const c of this.captures) if (c.released) this.captures.delete(c)
    const capture = await this.capturer.capture(this.trainedModel, {
      includeOptimizer: this.format === 'tfjs-layers',
      model: this.description,
    })
    this.captures.add(capture)
    return capture
  }

  private track(outcome: StepOutcome): void {
    this.lastOutcome = outcome
  }

  override async onTrainBegin(): Promise<void> {
    const model = this.trainedModel
    // A previous fit that threw may have left a save in flight: let it finish before reopening the index.
    await this.flush().catch((e: unknown) =>
      (this.options.log ?? console.log)(
        `Warning: a background save of the previous training run failed: ${e instanceof Error ? e.message : String(e)}`,
      ),
    )
    this.lastBoundary = 0
    this.assertCheckpointable(model)
    if (isKerasFormat(this.format)) await assertKerasCheckpointable(this.format, this.filepath, model)
    if (this.format === 'tfjs-layers') {
      const trainingConfig =
        model.optimizer != null ? (model as unknown as { getTrainingConfig(): tf.io.TrainingConfig }).getTrainingConfig() : null
      this.description = {
        // A Sequential's inner model is described as the Sequential, so that a restore gives a Sequential again.
        topology: tfjsSequentialView(model).toJSON(null, false),
        trainingConfig,
        userDefinedMetadata: model.getUserDefinedMetadata() ?? null,
      }
    }
    this.checkpointer = null
    await this.open()
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that the failure surface() rethrows is a rejection
  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch
    this.surface()
  }

  override async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    this.surface()
    const ckpt = await this.open()
    const numbers = this.readsBatchLogs ? await numericLogs(logs, ['batch', 'size']) : {}
    this.track(await ckpt.onBatchEnd({ epoch: this.epoch, batch, logs: numbers }, this.source))
    await this.drain()
  }

  /**
   * Moves a background save forward. `fit` never yields to the event loop, so the save's I/O completions and
   * hashing run only when a callback awaits a macrotask: at each batch end while a save is in flight, turn the
   * event loop until the save completes or a time budget is spent ({@link DRAIN_SHARE} of the time since the
   * previous boundary, within [{@link DRAIN_MIN_MS}, {@link DRAIN_MAX_MS}] ms).
   */
  private async drain(): Promise<void> {
    const start = now()
    if (this.checkpointer?.inFlight === true) {
      const since = this.lastBoundary === 0 ? 0 : start - this.lastBoundary
      const deadline = start + Math.min(DRAIN_MAX_MS, Math.max(DRAIN_MIN_MS, since * DRAIN_SHARE))
      do await yieldToEventLoop()
      while (this.checkpointer?.inFlight === true && now() < deadline)
    }
    this.lastBoundary = now()
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    this.surface()
    this.epoch = epoch
    const ckpt = await this.open()
    this.track(await ckpt.onEpochEnd({ epoch, logs: await numericLogs(logs) }, this.source))
    this.lastBoundary = now()
  }

  /** Waits for the save in flight; a background failure rejects here (and so `fit`). */
  override async onTrainEnd(): Promise<void> {
    // Training is over: another process may write this folder now (the next fit takes the lock again).
    await this.releaseWriterLock()
  }

  /** Flushes, then releases the folder's writer lock, so that another process may write the folder. */
  async releaseWriterLock(): Promise<void> {
    try {
      await this.flush()
    } finally {
      await this.checkpointer?.releaseWriterLock().catch(() => undefined)
    }
  }

  /** Waits for the save in flight and rethrows its failure, once. Frees any snapshot left unwritten. */
  async flush(): Promise<void> {
    try {
      // The save in flight and retention's background deletions, before anyone reopens the index.
      if (this.checkpointer !== null) await this.checkpointer.flush()
    } finally {
      for (const c of this.captures) releaseCapture(c)
      this.captures.clear()
    }
  }

  /** Flushes, then releases the storage (e.g. an S3 client). The callback can still be used afterwards only with an open storage. */
  async close(): Promise<void> {
    await this.flush()
    await this.options.storage.close()
  }

  /** Live checkpoints in commit order (oldest first), from the index. */
  async list(): Promise<ReadonlyArray<Entry>> {
    return (await this.open()).list()
  }

  /** The newest checkpoint, or `null`. */
  async latest(): Promise<Entry | null> {
    return (await this.open()).latest()
  }

  /** The best checkpoint by the monitor, or `null`. */
  async best(): Promise<Entry | null> {
    return (await this.open()).best()
  }

  /** The save frequency in effect. */
  get frequency(): SaveFreq {
    return this.saveFreq
  }
}

/**
 * A drop-in ModelCheckpoint for `model.fit` / `model.fitDataset`. Configuration errors (an unknown or invalid
 * option, an unsupported filepath ending) throw a `CkptTfjsError` here, synchronously; an optimizer that cannot
 * be checkpointed is refused when `fit` hands over the model, before the first epoch.
 *
 * @example
 * await model.fit(xs, ys, {
 *   epochs: 10, validationSplit: 0.2,
 *   callbacks: [
 *     modelCheckpoint({ storage: fsStorage('checkpoints'), filepath: 'epoch_{epoch:02d}/model.json', saveBestOnly: true, saveTopK: 3 }),
 *   ],
 * })
 */
export const modelCheckpoint = (options: ModelCheckpointOptions): ModelCheckpoint => new ModelCheckpoint(options)
