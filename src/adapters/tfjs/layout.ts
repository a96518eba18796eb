import type * as tf from '@tensorflow/tfjs-core'
import * as E from '#fp-ts/Either.js'
import { JSON_DEPTH, parseBoundedJson } from '../../json/bounded-json.js'
import type { TfjsAdapterError } from './errors.js'

/**
 * The tfjs layers layout on a key-value store, pure: where `model.json` and its weight files live and what
 * a valid `model.json` looks like. Keys use `/` as separator; weight paths in the manifest are relative to
 * the folder of `model.json`, exactly as `tf.loadLayersModel('file://.../model.json')` resolves them.
 */

/** The name every ckpt tfjs-layers checkpoint path ends with. */
export const modelJsonSuffix = 'model.json'

/** Checks that `path` names a `model.json` key. */
export const checkModelJsonPath = (path: string): E.Either<TfjsAdapterError, string> =>
  typeof path === 'string' && path.endsWith(modelJsonSuffix) && !path.endsWith(`/${modelJsonSuffix}/`)
    ? E.right(path)
    : E.left({
        _tag: 'InvalidModelPath',
        path: String(path),
        message: `ckpt/tfjs: storageIOHandler path ${JSON.stringify(path)} must end with '${modelJsonSuffix}' (for example 'checkpoints/epoch_03/model.json')`,
      })

/** The folder prefix of a key, with its trailing `/`, or `''` at the root. */
export const folderOf = (key: string): string => key.slice(0, key.lastIndexOf('/') + 1)

/** The name of weight file `index` (0-based) of `count`, unique per save thanks to `token`. */
export const shardName = (token: string, index: number, count: number): string => `group1-shard${index + 1}of${count}.${token}.bin`

const SHARD_NAME = /^group1-shard[1-9][0-9]*of[1-9][0-9]*\.[0-9a-f]{12}\.bin$/

/**
 * True for a weight file ckpt wrote beside `modelJsonKey`: directly in its folder, named by {@link shardName}.
 * Only such files are ever removed as stale; a manifest may name anything, including files of other runs.
 */
export const isOwnShard = (modelJsonKey: string, key: string): boolean => {
  const folder = folderOf(modelJsonKey)
  return key.startsWith(folder) && SHARD_NAME.test(key.slice(folder.length))
}

/**
 * Resolves a manifest path against the folder of `modelJsonKey`. `.` and `..` segments are honoured;
 * absolute paths, URLs and paths leaving the storage root are refused.
 */
export const resolveWeightPath = (modelJsonKey: string, relative: string): E.Either<TfjsAdapterError, string> => {
  const bad = (why: string): E.Either<TfjsAdapterError, string> =>
    E.left({
      _tag: 'InvalidModelJson',
      path: modelJsonKey,
      message: `ckpt/tfjs: ${modelJsonKey}: weightsManifest path ${JSON.stringify(relative)} ${why}`,
    })
  if (relative.length === 0) return bad('is empty')
  if (relative.startsWith('/') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(relative)) return bad('must be relative to model.json')
  const out: string[] = folderOf(modelJsonKey)
    .split('/')
    .filter((s) => s.length > 0)
  for (const seg of relative.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      if (out.length === 0) return bad('leaves the storage root')
      out.pop()
    } else out.push(seg)
  }
  return E.right(out.join('/'))
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const isEntry = (u: unknown): u is tf.io.WeightsManifestEntry =>
  isObject(u) &&
  typeof u['name'] === 'string' &&
  Array.isArray(u['shape']) &&
  u['shape'].every((d) => Number.isSafeInteger(d) && d >= 0) &&
  Number.isSafeInteger(u['shape'].reduce((a: number, b: number) => a * b, 1)) &&
  typeof u['dtype'] === 'string'

/** Bytes an element takes in a weight file, by dtype (or by the stored dtype of a quantized weight). */
export const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
}

/** The bytes a manifest entry takes in its weight file, or null for a dtype whose size is not fixed (string). */
export const entryBytes = (w: {
  readonly shape: ReadonlyArray<number>
  readonly dtype: string
  readonly quantization?: { readonly dtype?: unknown }
}): number | null => {
  const stored = typeof w.quantization?.dtype === 'string' ? w.quantization.dtype : w.dtype
  const per = ELEMENT_BYTES[stored]
  return per === undefined ? null : w.shape.reduce((a, b) => a * b, 1) * per
}

/** Parses and checks the parts of `model.json` ckpt relies on; other fields pass through untouched. */
export const parseModelJson = (key: string, text: string): E.Either<TfjsAdapterError, tf.io.ModelJSON> => {
  const bad = (why: string): E.Either<TfjsAdapterError, tf.io.ModelJSON> =>
    E.left({ _tag: 'InvalidModelJson', path: key, message: `ckpt/tfjs: ${key} is not a tfjs model.json: ${why}` })
  const parsed = parseBoundedJson(text, JSON_DEPTH.model)
  if (E.isLeft(parsed)) return bad(`invalid JSON (${parsed.left})`)
  const json = parsed.right
  if (!isObject(json)) return bad('the top level must be an object')
  if (!isObject(json['modelTopology'])) return bad("'modelTopology' must be an object")
  const manifest = json['weightsManifest']
  if (manifest !== undefined) {
    if (!Array.isArray(manifest)) return bad("'weightsManifest' must be an array of groups")
    for (const [i, g] of manifest.entries()) {
      if (!isObject(g) || !Array.isArray(g['paths']) || !g['paths'].every((p) => typeof p === 'string'))
        return bad(`weightsManifest[${i}].paths must be an array of strings`)
      if (!Array.isArray(g['weights']) || !g['weights'].every(isEntry))
        return bad(`weightsManifest[${i}].weights must be an array of {name, shape, dtype}, shapes of integers >= 0 under 2^53 elements`)
    }
  }
  return E.right(json as unknown as tf.io.ModelJSON)
}

/** Builds `model.json` from artifacts, with the same fields tfjs itself writes. */
export const modelJsonFor = (artifacts: tf.io.ModelArtifacts, manifest: tf.io.WeightsManifestConfig): tf.io.ModelJSON => {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: manifest,
  }
  if (artifacts.signature != null) json.signature = artifacts.signature
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer
  if (artifacts.initializerSignature != null) json.initializerSignature = artifacts.initializerSignature
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig
  return json
}

/** The weight file keys a parsed `model.json` refers to, resolved against its folder. */
export const weightKeysOf = (key: string, json: tf.io.ModelJSON): E.Either<TfjsAdapterError, ReadonlyArray<string>> => {
  const out: string[] = []
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths) {
      const r = resolveWeightPath(key, p)
      if (E.isLeft(r)) return r
      out.push(r.right)
    }
  }
  return E.right(out)
}
