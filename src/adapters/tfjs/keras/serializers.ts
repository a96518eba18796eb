import { checkpointMetaFromJson, checkpointMetaToJson } from '../../../checkpointer/checkpoint-meta.js'
import { digestOf } from '../../../checkpointer/checksum.js'
import { mapFiles } from '../../../checkpointer/map-bounded.js'
import type { ArtifactReader, ArtifactWriter, CheckpointMeta, ScannedCheckpoint, Serializer } from '../../../checkpointer/serializer.js'
import { checkKerasPath, metadataKey, withMetadataKey } from '../../../keras/keras-file.js'
import { orThrow } from '../../../keras/errors.js'
import { checkWeightsPath, decodeWeightsH5, readH5RootAttribute } from '../../../keras/h5.js'
import { weightsH5 } from '../../../keras/h5-write.js'
import type { KerasArray, WeightsFile } from '../../../keras/weights-file.js'
import type { Storage } from '../../../storage/storage.js'

/**
 * Where a Keras-format checkpoint carries its index entry data (the `CheckpointMeta` JSON), so that a lost
 * index can be rebuilt and an interrupted overwrite adopted: a string attribute `ckpt` on the root group of a
 * `.weights.h5`, a key `ckpt` in a `.keras` archive's metadata.json. Keras reads neither.
 */
export const KERAS_META_KEY = 'ckpt'

const copyArray = (a: KerasArray): KerasArray => ({ dtype: a.dtype, shape: [...a.shape], data: a.data.slice() })

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

/**
 * A Checkpointer serializer for Keras 3 `.weights.h5` artifacts. The snapshot is a {@link WeightsFile}
 * (from `kerasWeightsFile(model)`); the artifact is one file at `path`, which must end in `.weights.h5`,
 * carrying the checkpoint's entry data in a root attribute `ckpt` (Keras ignores it).
 *
 * @example
 * const file = orThrow(await kerasWeightsFile(model))
 * await checkpointer.save(file, meta)   // with serializer: kerasWeightsSerializer
 */
export const kerasWeightsSerializer: Serializer<WeightsFile> = {
  format: 'keras-weights-h5',
  capture: (snapshot, { immutable }) =>
    immutable ? snapshot : { groups: snapshot.groups.map((g) => ({ path: g.path, name: g.name, vars: g.vars.map(copyArray) })) },
  write: async (writer: ArtifactWriter, path: string, snapshot: WeightsFile, meta: CheckpointMeta) => {
    checkWeightsPath(path)
    const h5 = orThrow(weightsH5(snapshot, { [KERAS_META_KEY]: JSON.stringify(checkpointMetaToJson(meta)) }))
    await writer.writeFile(path, h5.chunks)
  },
  read: async (reader: ArtifactReader, path: string) => orThrow(await decodeWeightsH5(await reader.readFile(path), path)),
  scan: (storage) => scanFiles(storage, '.weights.h5', async (bytes) => parseMeta(await readH5RootAttribute(bytes, KERAS_META_KEY))),
}

/**
 * A Checkpointer serializer for `.keras` archives. The snapshot is the archive's bytes (from
 * `encodeKerasModel(model)`); the artifact is one file at `path`, which must end in `.keras`. At the write,
 * the checkpoint's entry data goes into the archive's metadata.json as a key `ckpt` (Keras ignores it): only
 * that small entry and the zip directory are rewritten, the rest is written from the snapshot's bytes as they are.
 */
export const kerasModelSerializer: Serializer<Uint8Array> = {
  format: 'keras-model',
  capture: (snapshot, { immutable }) => (immutable ? snapshot : snapshot.slice()),
  write: async (writer, path, snapshot, meta) => {
    checkKerasPath(path)
    const chunks = orThrow(await withMetadataKey(snapshot, KERAS_META_KEY, checkpointMetaToJson(meta), path))
    await writer.writeFile(path, chunks)
  },
  read: (reader, path) => reader.readFile(path),
  scan: (storage) => scanFiles(storage, '.keras', async (bytes) => checkpointMetaFromJson(await metadataKey(bytes, KERAS_META_KEY))),
}
