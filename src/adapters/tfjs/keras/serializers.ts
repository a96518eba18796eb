import type { Serializer } from '../../../checkpointer/serializer.js'
import type { KerasArray, WeightsFile } from '../../../keras/weights-file.js'
import { kerasCode } from './load.js'

export { KERAS_META_KEY } from './meta-key.js'

const copyArray = (a: KerasArray): KerasArray => ({ dtype: a.dtype, shape: [...a.shape], data: a.data.slice() })

/**
 * A Checkpointer serializer for Keras 3 `.weights.h5` artifacts. The snapshot is a {@link WeightsFile}
 * (from `kerasWeightsFile(model)`); the artifact is one file at `path`, which must end in `.weights.h5`,
 * carrying the checkpoint's entry data in a root attribute `ckpt` (Keras ignores it). The file work is
 * loaded at the first write, read or scan (serializer-files.ts).
 *
 * @example
 * const file = orThrow(await kerasWeightsFile(model))
 * await checkpointer.save(file, meta)   // with serializer: kerasWeightsSerializer
 */
export const kerasWeightsSerializer: Serializer<WeightsFile> = {
  format: 'keras-weights-h5',
  capture: (snapshot, { immutable }) =>
    immutable ? snapshot : { groups: snapshot.groups.map((g) => ({ path: g.path, name: g.name, vars: g.vars.map(copyArray) })) },
  write: async (writer, path, snapshot, meta) => (await kerasCode()).kerasWeightsFiles.write(writer, path, snapshot, meta),
  read: async (reader, path) => (await kerasCode()).kerasWeightsFiles.read(reader, path),
  scan: async (storage) => (await kerasCode()).kerasWeightsFiles.scan(storage),
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
  write: async (writer, path, snapshot, meta) => (await kerasCode()).kerasModelFiles.write(writer, path, snapshot, meta),
  read: (reader, path) => reader.readFile(path),
  scan: async (storage) => (await kerasCode()).kerasModelFiles.scan(storage),
}
