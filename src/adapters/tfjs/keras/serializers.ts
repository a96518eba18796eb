import type { ArtifactReader, ArtifactWriter, Serializer } from '../../../checkpointer/serializer.js'
import { checkKerasPath } from '../../../keras/keras-file.js'
import { orThrow } from '../../../keras/errors.js'
import { checkWeightsPath, decodeWeightsH5, encodeWeightsH5 } from '../../../keras/h5.js'
import type { KerasArray, WeightsFile } from '../../../keras/weights-file.js'

const copyArray = (a: KerasArray): KerasArray => ({ dtype: a.dtype, shape: [...a.shape], data: a.data.slice() })

/**
 * A Checkpointer serializer for Keras 3 `.weights.h5` artifacts. The snapshot is a {@link WeightsFile}
 * (from `kerasWeightsFile(model)`); the artifact is one file at `path`, which must end in `.weights.h5`.
 *
 * @example
 * const file = orThrow(await kerasWeightsFile(model))
 * await checkpointer.save(file, meta)   // with serializer: kerasWeightsSerializer
 */
export const kerasWeightsSerializer: Serializer<WeightsFile> = {
  format: 'keras-weights-h5',
  capture: (snapshot, { immutable }) =>
    immutable ? snapshot : { groups: snapshot.groups.map((g) => ({ path: g.path, name: g.name, vars: g.vars.map(copyArray) })) },
  write: async (writer: ArtifactWriter, path: string, snapshot: WeightsFile) => {
    checkWeightsPath(path)
    await writer.writeFile(path, orThrow(await encodeWeightsH5(snapshot)))
  },
  read: async (reader: ArtifactReader, path: string) => orThrow(await decodeWeightsH5(await reader.readFile(path), path)),
}

/**
 * A Checkpointer serializer for `.keras` archives. The snapshot is the archive's bytes (from
 * `encodeKerasModel(model)`); the artifact is one file at `path`, which must end in `.keras`.
 */
export const kerasModelSerializer: Serializer<Uint8Array> = {
  format: 'keras-model',
  capture: (snapshot, { immutable }) => (immutable ? snapshot : snapshot.slice()),
  write: async (writer, path, snapshot) => {
    checkKerasPath(path)
    await writer.writeFile(path, snapshot)
  },
  read: (reader, path) => reader.readFile(path),
}
