import { checkpointMetaFromJson, checkpointMetaToJson } from '../../../checkpointer/checkpoint-meta.js'
import { digestOf } from '../../../checkpointer/checksum.js'
import { mapFiles } from '../../../checkpointer/map-bounded.js'
import type { ArtifactReader, ArtifactWriter, CheckpointMeta, ScannedCheckpoint } from '../../../checkpointer/serializer.js'
import { checkKerasPath, metadataKey, withMetadataKey } from '../../../keras/keras-file.js'
import { orThrow } from '../../../keras/failures.js'
import { checkWeightsPath, decodeWeightsH5, readH5RootAttribute } from '../../../keras/h5.js'
import { weightsH5 } from '../../../keras/h5-write.js'
import type { WeightsFile } from '../../../keras/weights-file.js'
import type { Storage } from '../../../storage/storage.js'
import { KERAS_META_KEY } from './meta-key.js'

/** The file work of the Keras serializers (serializers.ts), loaded with the rest of the Keras code. */

const parseMeta = (raw: string | null): CheckpointMeta | null => {
  if (raw === null) return null
  try {
    return checkpointMetaFromJson(JSON.parse(raw))
  } catch {
    return null
  }
}

/** Every key of `storage` with `ending` whose file carries entry data (as `metaOf` finds it), with fresh checksums. */
const scanFiles = async (
  storage: Storage,
  ending: string,
  metaOf: (bytes: Uint8Array) => Promise<CheckpointMeta | null>,
): Promise<ReadonlyArray<ScannedCheckpoint>> => {
  const keys = (await storage.list()).filter((key) => key.endsWith(ending))
  const scanned = await mapFiles(storage, keys, async (key, bytes): Promise<ScannedCheckpoint | null> => {
    const meta = await metaOf(bytes)
    // not a ckpt checkpoint, or unreadable: not ours to index
    return meta === null ? null : { path: key, files: [{ key, ...digestOf(bytes) }], meta }
  })
  return scanned.filter((s) => s !== null)
}

/** `.weights.h5` checkpoints: the entry data in the root attribute `ckpt`. */
export const kerasWeightsFiles = {
  write: async (writer: ArtifactWriter, path: string, snapshot: WeightsFile, meta: CheckpointMeta): Promise<void> => {
    checkWeightsPath(path)
    const h5 = orThrow(weightsH5(snapshot, { [KERAS_META_KEY]: JSON.stringify(checkpointMetaToJson(meta)) }))
    await writer.writeFile(path, h5.chunks)
  },
  read: async (reader: ArtifactReader, path: string): Promise<WeightsFile> =>
    orThrow(await decodeWeightsH5(await reader.readFile(path), path)),
  scan: (storage: Storage): Promise<ReadonlyArray<ScannedCheckpoint>> =>
    scanFiles(storage, '.weights.h5', async (bytes) => parseMeta(await readH5RootAttribute(bytes, KERAS_META_KEY))),
}

/** `.keras` checkpoints: the entry data as the key `ckpt` of metadata.json. */
export const kerasModelFiles = {
  write: async (writer: ArtifactWriter, path: string, snapshot: Uint8Array, meta: CheckpointMeta): Promise<void> => {
    checkKerasPath(path)
    const chunks = orThrow(await withMetadataKey(snapshot, KERAS_META_KEY, checkpointMetaToJson(meta), path))
    await writer.writeFile(path, chunks)
  },
  scan: (storage: Storage): Promise<ReadonlyArray<ScannedCheckpoint>> =>
    scanFiles(storage, '.keras', async (bytes) => checkpointMetaFromJson(await metadataKey(bytes, KERAS_META_KEY))),
}
