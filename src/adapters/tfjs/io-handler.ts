import * as tf from '@tensorflow/tfjs-core'
import type { Storage } from '../../storage/storage.js'
import { fail, orThrow, storageCall } from './errors.js'
import { checkModelJsonPath } from './layout.js'

/** Reading a model (layers-read.ts) is imported at the first load, the commit at the first save: a browser bundle loads each then. */
const reading = () => import('./layers-read.js')
const committing = () => import('./layers-commit.js')

const weightParts = (data: tf.io.WeightData | undefined): ReadonlyArray<ArrayBuffer> =>
  data === undefined ? [] : Array.isArray(data) ? data : [data]

/**
 * An `IOHandler` that saves and loads a tfjs layers model through any ckpt `Storage`.
 *
 * `path` is the key of `model.json` (it must end with `model.json`; checked here, throwing `InvalidModelPath`).
 * The layout is the standard one of `tf.loadLayersModel('file://…/model.json')`: weight files sit next to
 * `model.json` and the `weightsManifest` paths are relative to it.
 *
 * Save is an atomic multi-file commit:
 * 1. each part of `weightData` is written, unchanged and unconcatenated, as its own weight file with a name
 *    unique to this save (`group1-shard{i}of{n}.{random}.bin`);
 * 2. `model.json` is written last: it is the commit point. Until it lands, readers see the previous save.
 *    When the storage supports it, the write is conditional on the previous `model.json` being unchanged
 *    (`ifMatch`, or `ifAbsent` when there was none); if another writer committed meanwhile, this save removes
 *    its own weight files and rejects with `StorageFailed` (cause `PreconditionFailed`/`AlreadyExists`).
 * 3. only then are the previous save's weight files removed. A failure there does not undo the commit: it is
 *    reported in `SaveResult.errors`.
 *
 * Load reads `model.json`, then each weight file in manifest order, and returns the artifacts, including
 * `trainingConfig` and the optimizer weights (`group: 'optimizer'`) when they were saved.
 *
 * @example
 * await model.save(storageIOHandler(storage, 'run1/model.json'), { includeOptimizer: true })
 * const restored = await tfl.loadLayersModel(storageIOHandler(storage, 'run1/model.json'))
 */
export const storageIOHandler = (storage: Storage, path: string): tf.io.IOHandler => {
  const key = orThrow(checkModelJsonPath(path))

  const save = async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
    // The final capabilities (an adapter may probe them at its first write) before the commit chooses its condition.
    await storageCall(key, 'opening the storage', () => storage.open())
    const errors = await (
      await committing()
    ).commitLayersModel(
      storage,
      key,
      artifacts,
      weightParts(artifacts.weightData).map((p) => new Uint8Array(p)),
    )
    const result: tf.io.SaveResult = { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
    return errors.length > 0 ? { ...result, errors: [...errors] } : result
  }

  const load = async (): Promise<tf.io.ModelArtifacts> => {
    const info = await storageCall(key, 'stat', () => storage.stat(key))
    if (info === null) {
      return fail({
        _tag: 'StorageFailed',
        key,
        cause: { _tag: 'NotFound', key, message: `no model.json at ${key}` },
        message: `ckpt/tfjs: no model.json at '${key}' in ${storage.name} storage`,
      })
    }
    return (await reading()).readLayersModel(key, (k) => storageCall(k, k === key ? 'read' : 'reading weight file', () => storage.read(k)))
  }

  return { save, load }
}
