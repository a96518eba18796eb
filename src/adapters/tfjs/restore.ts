import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { restoreCandidates } from '../../checkpointer/candidates.js'
import { restorableEntries } from '../../checkpointer/entries.js'
import type { Entry } from '../../checkpointer/index-file.js'
import { readIndexOrScan } from '../../checkpointer/index-store.js'
import { resumedMessage } from '../../checkpointer/resumed-message.js'
import { safetensorsSerializer } from '../../checkpointer/safetensors-serializer.js'
import type { ArtifactReader, Serializer } from '../../checkpointer/serializer.js'
import { readFirstValid, type Skipped } from '../../checkpointer/verified-read.js'
import type { Storage } from '../../storage/storage.js'
import { fail } from './errors.js'
import { ckptMetadataOf } from './ckpt-metadata.js'
import { completeLoadedModel } from './model-io.js'
import { restoreHiddenOptimizerState } from './optimizer.js'
import { SAFETENSORS_FORMAT, TFJS_LAYERS_FORMAT, tfjsLayersSerializer } from './serializers.js'
import { kerasCode } from './keras/load.js'
import { orThrow as orThrowKeras } from '../../keras/failures.js'
import { kerasModelSerializer, kerasWeightsSerializer } from './keras/serializers.js'
import { assignWeight } from './assign-weight.js'
import { layersMismatches, mismatchMessage } from './layers-mismatches.js'
import { fillLayersModel, restoreLayersModel } from './layers-restore.js'
import { assertOptimizerMatches } from './optimizer-match.js'

/** A checkpoint restored to continue training. */
export interface RestoredTraining {
  /** The model, compiled, with its optimizer state (Adam's moments and step count included). */
  readonly model: tfl.LayersModel
  /**
   * The `initialEpoch` to pass to `fit`: after an epoch-end save of (0-based) epoch e, `e + 1` (after 3 completed
   * epochs, 3). After a batch-level save inside epoch e, `e`: tfjs cannot start mid-epoch, so epoch e is run again
   * from its first batch on the restored weights (not bit-identical to an uninterrupted run; see docs/tfjs.md).
   */
  readonly initialEpoch: number
  /** The policy's state right after this checkpoint was saved (a new modelCheckpoint on the storage resumes the index's own). */
  readonly policyState: unknown
  /** The index entry restored. */
  readonly entry: Entry
  /** Newer (or better) checkpoints that failed verification and were passed over, with the reason. */
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string }>
}

/** Options of the restore functions. */
export interface RestoreOptions {
  /** 1 says which checkpoint was resumed and at which epoch. Default 0. */
  readonly verbose?: number
  /** Where messages go: what was resumed (verbose), and an index rebuilt in memory. Default `console.log`. */
  readonly log?: (line: string) => void
}

/** Every whole-model and weights serializer, for an index rebuilt by a scan when it is lost. */
const scanners = (): ReadonlyArray<Serializer<unknown, unknown>> =>
  [tfjsLayersSerializer(), kerasModelSerializer, kerasWeightsSerializer, safetensorsSerializer()] as ReadonlyArray<
    Serializer<unknown, unknown>
  >

/**
 * With `verbose >= 1`, which checkpoint was resumed and at which epoch (1-based, as Keras prints them; the next
 * epoch is `initialEpochOf(entry) + 1`), and what was passed over.
 */
export const sayResumed = (options: RestoreOptions, entry: Entry, skipped: ReadonlyArray<Skipped>): void => {
  if ((options.verbose ?? 0) < 1) return
  const log = options.log ?? ((line: string) => console.log(line))
  for (const s of skipped) log(`ckpt/tfjs: passed over corrupt checkpoint '${s.path}': ${s.reason}`)
  log(resumedMessage(entry, true))
}

export const initialEpochOf = (entry: Entry): number => (entry.batch === null ? entry.epoch + 1 : entry.epoch)

/** A verified whole-model checkpoint as read: what `readLayers` made of a `model.json` one, or a `.keras` archive's bytes. */
type ReadCheckpoint<L> =
  { readonly format: 'tfjs-layers'; readonly layers: L } | { readonly format: 'keras-model'; readonly bytes: Uint8Array }

const weightsOnly = (entry: Entry, ending: string, loader: string): never =>
  fail({
    _tag: 'WeightsOnlyCheckpoint',
    path: entry.path,
    message: `ckpt/tfjs: checkpoint '${entry.path}' holds weights only (a '${ending}' filepath), so it cannot rebuild a model or its optimizer. Build and compile the model, then ${loader}(model, storage, '${entry.path}'); for exact resume save whole models (a filepath ending in 'model.json' or '.keras')`,
  })

/**
 * Reads the latest (or best) whole-model checkpoint, every byte verified against the index; corrupt
 * checkpoints are passed over (reported in `skipped`). A `model.json` checkpoint is read by `readLayers`, which
 * reads through the verifying reader (a corrupt file it meets passes the checkpoint over). `null` when the storage
 * holds no index or no checkpoint. A weights-only checkpoint (`.safetensors`, `.weights.h5`) rejects with
 * `WeightsOnlyCheckpoint`.
 */
const readLatestOrBest = async <L>(
  storage: Storage,
  which: 'latest' | 'best',
  options: RestoreOptions,
  readLayers: (reader: ArtifactReader, path: string) => Promise<L>,
): Promise<{
  readonly read: ReadCheckpoint<L>
  readonly entry: Entry
  readonly initialEpoch: number
  readonly skipped: ReadonlyArray<{ path: string; reason: string }>
} | null> => {
  const log = options.log ?? ((line: string) => console.log(line))
  const index = await readIndexOrScan(storage, scanners(), (line) => log(`ckpt/tfjs: ${line}`), `${storage.name} storage`)
  const entries = index === null ? [] : restorableEntries(index.doc)
  if (index === null || entries.length === 0) return null
  const ranking = index.doc.ranking
  if (which === 'best' && ranking === undefined)
    return fail({
      _tag: 'InvalidArtifacts',
      path: 'ckpt-index.json',
      message: index.rebuilt
        ? 'ckpt/tfjs: restoreBest: the index is lost and the checkpoints found do not record the monitor and mode; use restoreLatest'
        : 'ckpt/tfjs: restoreBest: the index does not record the monitor and mode (it was written by an older ckpt); use restoreLatest',
    })
  const tried = restoreCandidates(entries, which, ranking ?? { monitor: '', mode: 'min' })
  if (tried.length === 0) return null
  const read = await readFirstValid(storage, tried, async (reader, entry): Promise<ReadCheckpoint<L>> => {
    if (entry.format === SAFETENSORS_FORMAT) return weightsOnly(entry, '.safetensors', 'loadWeights')
    if (entry.format === kerasWeightsSerializer.format) return weightsOnly(entry, '.weights.h5', 'loadKerasWeights')
    if (entry.format === TFJS_LAYERS_FORMAT) return { format: 'tfjs-layers', layers: await readLayers(reader, entry.path) }
    if (entry.format === kerasModelSerializer.format)
      return { format: 'keras-model', bytes: await kerasModelSerializer.read(reader, entry.path) }
    return fail({
      _tag: 'InvalidArtifacts',
      path: entry.path,
      message: `ckpt/tfjs: checkpoint '${entry.path}' has format '${entry.format}'; ckpt/tfjs restores '${TFJS_LAYERS_FORMAT}' and '${kerasModelSerializer.format}' checkpoints`,
    })
  })
  return { read: read.value, entry: read.entry, initialEpoch: initialEpochOf(read.entry), skipped: read.skipped }
}

/**
 * Puts the latest `model.json` checkpoint's weights and optimizer state into `model` (see {@link fillLayersModel}),
 * every byte verified; a corrupt checkpoint is passed over, and the next one fills the model again. Which checkpoint
 * it was, or `null` when there is none. A `.keras` checkpoint rejects with `InvalidArtifacts`.
 */
export const resumeInto = async (
  model: tfl.LayersModel,
  storage: Storage,
  options: RestoreOptions = {},
): Promise<{ readonly entry: Entry; readonly initialEpoch: number; readonly skipped: ReadonlyArray<Skipped> } | null> => {
  const r = await readLatestOrBest(storage, 'latest', options, async (reader, path) => {
    if (!(await fillLayersModel(reader, path, model))) await applyArtifacts(model, await tfjsLayersSerializer().read(reader, path), path)
  })
  if (r === null) return null
  if (r.read.format !== 'tfjs-layers')
    return fail({
      _tag: 'InvalidArtifacts',
      path: r.entry.path,
      message: `ckpt/tfjs: checkpoint '${r.entry.path}' is a '.keras' archive, not tfjs layers artifacts; restore it with restoreLatest/restoreBest`,
    })
  return { entry: r.entry, initialEpoch: r.initialEpoch, skipped: r.skipped }
}

/** The compiled model, with its optimizer state, from verified `.keras` bytes. */
const kerasModelFrom = async (bytes: Uint8Array, path: string): Promise<tfl.LayersModel> => {
  const { model, optimizer } = orThrowKeras(await (await kerasCode()).decodeKerasModel(bytes, path))
  if (optimizer._tag !== 'OptimizerLoaded') {
    model.dispose()
    return fail({
      _tag: 'InvalidArtifacts',
      path,
      message: `ckpt/tfjs: checkpoint '${path}' cannot resume training: its optimizer state was not restored (${optimizer.reason})`,
    })
  }
  return model
}

/**
 * A new compiled model from a verified `model.json` checkpoint, read weight by weight (see {@link restoreLayersModel}):
 * the restore holds about the model's own size. Weights only tfjs decodes (quantized) go through `loadLayersModel`.
 */
const layersModelFrom = async (reader: ArtifactReader, path: string): Promise<tfl.LayersModel> =>
  (await restoreLayersModel(reader, path)) ?? (await tfl.loadLayersModel(tf.io.fromMemory(await tfjsLayersSerializer().read(reader, path))))

const restore = async (storage: Storage, which: 'latest' | 'best', options: RestoreOptions): Promise<RestoredTraining | null> => {
  const r = await readLatestOrBest(storage, which, options, layersModelFrom)
  if (r === null) return null
  const model = r.read.format === 'tfjs-layers' ? completeLoadedModel(r.read.layers) : await kerasModelFrom(r.read.bytes, r.entry.path)
  sayResumed(options, r.entry, r.skipped)
  return { model, initialEpoch: r.initialEpoch, policyState: r.entry.policyState, entry: r.entry, skipped: r.skipped }
}

/** `restoreLatest` of ckpt/tfjs (documented in resume.ts, which loads this module lazily). */
export const restoreLatest = (storage: Storage, options: RestoreOptions = {}): Promise<RestoredTraining | null> =>
  restore(storage, 'latest', options)

/** `restoreBest` of ckpt/tfjs (documented in resume.ts, which loads this module lazily). */
export const restoreBest = (storage: Storage, options: RestoreOptions = {}): Promise<RestoredTraining | null> =>
  restore(storage, 'best', options)

/** `applyArtifacts` of ckpt/tfjs (documented in resume.ts, which loads this module lazily). */
export const applyArtifacts = async (model: tfl.LayersModel, artifacts: tf.io.ModelArtifacts, path: string): Promise<void> => {
  const specs = artifacts.weightSpecs ?? []
  const data = artifacts.weightData
  if (data === undefined) return fail({ _tag: 'InvalidArtifacts', path, message: `ckpt/tfjs: checkpoint '${path}' has no weight data` })
  assertOptimizerMatches(model, path, artifacts.trainingConfig, specs)
  const hasOptimizerWeights = specs.some((s) => s.group === 'optimizer')
  const decoded = tf.io.decodeWeights(data, specs)
  const all = Object.values(decoded)
  try {
    const mismatches = layersMismatches(model, specs)
    if (mismatches.length > 0) return fail({ _tag: 'WeightsMismatch', path, mismatches, message: mismatchMessage(path, mismatches) })

    for (const v of model.weights) assignWeight(v, decoded[v.originalName] as tf.Tensor)
    if (hasOptimizerWeights && model.optimizer != null) {
      const optimizer = model.optimizer
      const old = await optimizer.getWeights()
      const named = specs.filter((s) => s.group === 'optimizer').map((s) => ({ name: s.name, tensor: decoded[s.name] as tf.Tensor }))
      await optimizer.setWeights(named)
      tf.dispose(old.map((w) => w.tensor))
      const hidden = ckptMetadataOf(artifacts.userDefinedMetadata)?.optimizerHidden
      if (hidden !== undefined) restoreHiddenOptimizerState(optimizer, hidden)
    }
  } finally {
    tf.dispose(all)
  }
}
