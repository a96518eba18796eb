import type * as tf from '@tensorflow/tfjs-core'
import * as E from '#fp-ts/Either.js'
import type { ArtifactWriter } from '../../checkpointer/serializer.js'
import type { Capabilities, ObjectInfo, WriteData, WriteOptions } from '../../storage/storage.js'
import { CkptTfjsError, fail, orThrow, storageCall } from './errors.js'
import { checkModelJsonPath, folderOf, isOwnShard, modelJsonFor, parseModelJson, shardName, weightKeysOf } from './layout.js'

/*
 * The save side of a tfjs layers model: loaded at the first save (storageIOHandler's, or a tfjs-layers checkpoint's),
 * so that a page that only restores, or saves safetensors, does not fetch it.
 */

/** A random token making weight file names unique per save. */
const randomToken = (): string =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('')

const isConflict = (e: unknown): boolean =>
  e instanceof CkptTfjsError &&
  e.error._tag === 'StorageFailed' &&
  (e.error.cause._tag === 'PreconditionFailed' || e.error.cause._tag === 'AlreadyExists')

/** The file operations a model commit needs: a whole Storage, or the ArtifactWriter of one checkpoint. */
export interface ModelFiles {
  readonly capabilities: Capabilities
  write(key: string, data: WriteData, options?: WriteOptions): Promise<unknown>
  read(key: string): Promise<Uint8Array>
  stat(key: string): Promise<ObjectInfo | null>
  remove(key: string): Promise<void>
  /** A checkpoint's files only (one writer, under its lock): the keys under a prefix that no checkpoint names. */
  listUnnamed?(prefix: string): Promise<ReadonlyArray<string>>
}

/** A checkpoint's ArtifactWriter as {@link ModelFiles}: writes and removes are recorded for its index entry. */
export const artifactFiles = (writer: ArtifactWriter): ModelFiles => ({
  get capabilities() {
    return writer.capabilities
  },
  write: (key, data, options) => writer.writeFile(key, data, options),
  read: (key) => writer.readExisting(key),
  stat: (key) => writer.statExisting(key),
  remove: (key) => writer.removeFile(key),
  listUnnamed: (prefix) => writer.listUnnamed(prefix),
})

/**
 * What a save replaces: the previous `model.json`'s etag and the weight files it refers to. A previous
 * `model.json` that cannot be parsed is replaced all the same; its weight files are then left in place.
 */
const previousSave = async (
  storage: ModelFiles,
  key: string,
): Promise<{ readonly info: ObjectInfo; readonly weightKeys: ReadonlyArray<string> } | null> => {
  const info = await storageCall(key, 'stat', () => storage.stat(key))
  if (info === null) return null
  const bytes = await storageCall(key, 'read', () => storage.read(key))
  const keys = E.chain((json: tf.io.ModelJSON) => weightKeysOf(key, json))(parseModelJson(key, new TextDecoder().decode(bytes)))
  return { info, weightKeys: E.isRight(keys) ? keys.right : [] }
}

/**
 * The commit protocol of {@link storageIOHandler}'s save, with each weight file given as `WriteData` (chunks
 * are streamed, never concatenated). `artifacts.weightData` is ignored; `artifacts.weightSpecs` describes the
 * bytes of `shards` in order. Returns the errors of the post-commit cleanup (the commit itself stands).
 */
export const commitLayersModel = async (
  storage: ModelFiles,
  path: string,
  artifacts: tf.io.ModelArtifacts,
  shards: ReadonlyArray<WriteData>,
): Promise<ReadonlyArray<string>> => {
  const key = orThrow(checkModelJsonPath(path))
  const folder = folderOf(key)
  if (artifacts.modelTopology instanceof ArrayBuffer || artifacts.modelTopology == null) {
    fail({
      _tag: 'InvalidArtifacts',
      path: key,
      message: `ckpt/tfjs: cannot save to ${key}: modelTopology must be a JSON object (tfjs layers model), got ${
        artifacts.modelTopology == null ? 'none' : 'an ArrayBuffer (GraphDef)'
      }`,
    })
  }
  const previous = await previousSave(storage, key)
  const token = randomToken()
  const names = shards.map((_, i) => shardName(token, i, shards.length))
  const written: string[] = []
  const removeOwn = async (): Promise<void> => {
    await Promise.allSettled(written.map((k) => storage.remove(k)))
  }
  try {
    for (const [i, shard] of shards.entries()) {
      const shardKey = folder + (names[i] as string)
      written.push(shardKey)
      await storageCall(shardKey, 'writing weight file', () => storage.write(shardKey, shard))
    }
    const manifest: tf.io.WeightsManifestConfig = [{ paths: names, weights: artifacts.weightSpecs ?? [] }]
    const body = new TextEncoder().encode(JSON.stringify(modelJsonFor(artifacts, manifest)))
    const commitOptions =
      previous !== null
        ? storage.capabilities.ifMatch
          ? { ifMatch: previous.info.etag }
          : {}
        : storage.capabilities.ifAbsent
          ? { ifAbsent: true }
          : {}
    await storageCall(key, 'committing', () => storage.write(key, body, commitOptions))
  } catch (e) {
    await removeOwn()
    if (isConflict(e)) {
      fail({
        _tag: 'ConcurrentSave',
        path: key,
        message: `ckpt/tfjs: ${key} was changed by another writer during this save; this save was abandoned and its weight files removed`,
      })
    }
    throw e
  }
  const fresh = new Set(written)
  // Only ckpt's own weight files in the model's folder: never a file the previous manifest merely names.
  const stale = new Set((previous?.weightKeys ?? []).filter((k) => !fresh.has(k) && isOwnShard(key, k)))
  const errors: string[] = []
  try {
    for (const k of await crashLeftovers(storage, key, fresh)) stale.add(k)
  } catch (e) {
    errors.push(String((e as Error).message))
  }
  const results = await Promise.allSettled([...stale].map((k) => storageCall(k, 'removing old weight file', () => storage.remove(k))))
  for (const r of results) if (r.status === 'rejected') errors.push(String((r.reason as Error).message))
  return errors
}

/**
 * Weight files an earlier save at `key` wrote and never committed (it crashed before its `model.json`): ckpt's own
 * shard names in the model's folder that neither this save, nor a checkpoint, nor another `model.json` there names.
 * Their names are unique per save, so no later save replaces them. Only where `files` can tell (a checkpoint's
 * writer, which holds the folder's writer lock: no save of another writer is in flight there).
 */
const crashLeftovers = async (files: ModelFiles, key: string, fresh: ReadonlySet<string>): Promise<ReadonlyArray<string>> => {
  if (files.listUnnamed === undefined) return []
  const unnamed = await files.listUnnamed(folderOf(key))
  const named = new Set<string>()
  for (const other of unnamed.filter((k) => k !== key && k.endsWith('model.json') && !k.slice(folderOf(key).length).includes('/'))) {
    const json = parseModelJson(other, new TextDecoder().decode(await files.read(other)))
    const keys = E.chain((j: tf.io.ModelJSON) => weightKeysOf(other, j))(json)
    if (E.isLeft(keys)) return [] // an unreadable model.json there: its files may be anything, so nothing is swept
    for (const k of keys.right) named.add(k)
  }
  return unnamed.filter((k) => isOwnShard(key, k) && !fresh.has(k) && !named.has(k))
}
