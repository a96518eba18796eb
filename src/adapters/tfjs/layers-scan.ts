import type * as tf from '@tensorflow/tfjs-core'
import { digestOf, digestStream } from '../../checkpointer/checksum.js'
import { checkpointMetaFromJson } from '../../checkpointer/checkpoint-meta.js'
import { mapBounded, mapFiles, SCAN_CONCURRENCY } from '../../checkpointer/map-bounded.js'
import type { CheckpointMeta, ScannedCheckpoint } from '../../checkpointer/serializer.js'
import type { Storage } from '../../storage/storage.js'
import { ckptMetadataOf } from './ckpt-metadata.js'
import { parseModelJson, weightKeysOf } from './layout.js'

/** The index `format` of whole-model checkpoints (a `model.json` and one weight file). */
export const TFJS_LAYERS_FORMAT = 'tfjs-layers'

/** The entry data a checkpoint's `model.json` carries, or null when it has none. */
export const checkpointMetaOf = (json: tf.io.ModelJSON): CheckpointMeta | null =>
  checkpointMetaFromJson(ckptMetadataOf(json.userDefinedMetadata)?.checkpoint)

/**
 * Finds the whole-model checkpoints in `storage`: every `…model.json` that carries ckpt's entry data, with its
 * weight files (fresh checksums; weight files first, `model.json` last, as written). A `model.json` that is
 * not ckpt's, cannot be parsed, or whose weight files are missing is not indexed. Needs no tfjs at run time,
 * so readers without it (the CLI) can rebuild a lost index too.
 */
export const scanLayersModels = async (storage: Storage): Promise<ReadonlyArray<ScannedCheckpoint>> => {
  const keys = await storage.list()
  const present = new Set(keys)
  const models = keys.filter((key) => key.endsWith('model.json'))
  const scanned = await mapFiles(storage, models, (key, bytes) => {
    const json = parseModelJson(key, new TextDecoder().decode(bytes))
    if (json._tag === 'Left') return null
    const meta = checkpointMetaOf(json.right)
    const weightKeys = weightKeysOf(key, json.right)
    if (meta === null || weightKeys._tag === 'Left' || !weightKeys.right.every((k) => present.has(k))) return null
    return { key, meta, weightKeys: weightKeys.right, digest: digestOf(bytes) }
  })
  const found = scanned.filter((s) => s !== null)
  // The weight files of every model found, streamed: a few at a time, each hashed as it passes.
  const weights = await mapBounded(
    found.flatMap((m) => m.weightKeys),
    SCAN_CONCURRENCY,
    async (key) => ({ key, ...(await digestStream(await storage.readStream(key))) }),
  )
  let at = 0
  return found.map(({ key, meta, weightKeys, digest }) => {
    const files = weights.slice(at, (at += weightKeys.length))
    return { path: key, files: [...files, { key, ...digest }], meta }
  })
}

/** The tfjs layers format as a scanner, for readers that only rebuild an index. */
export const layersScanner = { format: TFJS_LAYERS_FORMAT, scan: scanLayersModels } as const
