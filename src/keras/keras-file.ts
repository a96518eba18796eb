import * as E from '#fp-ts/Either.js'
import { JSON_DEPTH, parseBoundedJson } from '../json/bounded-json.js'
import { kerasLayerOrder, kerasToTfjsConfig, tfjsToKerasConfig } from './config.js'
import { type KerasFormatError } from './errors.js'
import { raise } from './failures.js'
import type { OrderedLayer, TensorSpecs } from './functional.js'
import { decodeWeightsH5 } from './h5.js'
import { weightsH5 } from './h5-write.js'
import { isObj, type Obj } from './layer-config.js'
import { kerasJson } from './python-json.js'
import { toKerasOrder } from './layer-order.js'
import type { LayerInfo } from './layers.js'
import type { WeightsFile } from './weights-file.js'
import { replaceZipEntry, zipChunks, type ZipChunks } from './zip.js'
import { concatChunks } from '../storage/data.js'
import { MAX_ZIP_ENTRY_BYTES, openZip, readEntry, readZipEntry, type ZipArchive } from './zip-read.js'

/**
 * The `.keras` archive (a zip of metadata.json, config.json and model.weights.h5), framework-free: plain
 * JSON and a weights file in, bytes out, and back.
 */

/** The Keras version whose `.keras` layout ckpt writes (and checks its files against). */
export const KERAS_FORMAT_VERSION = '3.15.1'

export const invalidArchive = (path: string, message: string): KerasFormatError => ({
  _tag: 'InvalidKerasArchive',
  path,
  message: `ckpt/keras: '${path}' is not a .keras file ckpt can read: ${message}`,
})

/** Keras's rule for whole-model paths, reworded for ckpt. */
export const checkKerasPath = (path: string): void => {
  if (!path.endsWith('.keras'))
    raise({ _tag: 'InvalidPath', path, message: `ckpt/keras: a whole-model Keras file must end in '.keras'. Received: path='${path}'` })
}

/** A model's Keras 3 `config.json` content (without `compile_config`), and its layers in Keras's order. */
export interface KerasModelConfig {
  readonly config: Obj
  readonly order: ReadonlyArray<OrderedLayer>
}

/** The Keras config of a tfjs topology (`model.toJSON(null, false)`), with the output `specs` of its layers. */
export const kerasModelConfig = (tfjsTopology: unknown, specs?: TensorSpecs): E.Either<KerasFormatError, KerasModelConfig> => {
  const config = tfjsToKerasConfig(tfjsTopology, specs)
  if (E.isLeft(config)) return config
  return E.map((order: ReadonlyArray<OrderedLayer>) => ({ config: config.right, order }))(kerasLayerOrder(config.right))
}

/** What a `.keras` archive is made of. `weights` is in the order of `layers` (the model's); the archive renames it for Keras. */
export interface KerasArchiveParts extends KerasModelConfig {
  readonly compile: Obj | null
  readonly layers: ReadonlyArray<LayerInfo>
  readonly weights: WeightsFile
  readonly date: Date
}

/**
 * A `.keras` archive as chunks to write in order: metadata.json, config.json (with `compile_config`),
 * model.weights.h5, its datasets views of the arrays in `parts.weights` (which must stay unchanged until written).
 */
export const kerasArchiveChunks = (parts: KerasArchiveParts): E.Either<KerasFormatError, ZipChunks> => {
  const weights = toKerasOrder(parts.weights, parts.layers, parts.order)
  if (E.isLeft(weights)) return weights
  const h5 = weightsH5(weights.right)
  if (E.isLeft(h5)) return h5
  const date = parts.date
  const pad = (n: number): string => String(n).padStart(2, '0')
  const stamp = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}@${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  const text = new TextEncoder()
  const zip = zipChunks([
    {
      name: 'metadata.json',
      data: text.encode(JSON.stringify({ keras_version: KERAS_FORMAT_VERSION, date_saved: stamp, saved_by: 'ckpt' })),
    },
    { name: 'config.json', data: text.encode(kerasJson({ ...parts.config, compile_config: parts.compile })) },
    // 8-byte aligned, so the datasets read back as views of the archive (no copy)
    { name: 'model.weights.h5', data: h5.right.chunks, align: 8 },
  ])
  return E.isLeft(zip) ? E.left(invalidArchive('(new archive)', zip.left.message)) : zip
}

/** The bytes of a `.keras` archive (see {@link kerasArchiveChunks}) in one buffer. */
export const encodeKerasArchive = (parts: KerasArchiveParts): Promise<E.Either<KerasFormatError, Uint8Array>> =>
  Promise.resolve(E.map((zip: ZipChunks) => concatChunks(zip.chunks, zip.size))(kerasArchiveChunks(parts)))

/** A `.keras` archive as read: the tfjs topology its config translates to, and its weights in Keras's layer order. */
export interface KerasArchive {
  /** tfjs model topology (for `tfl.models.modelFromJSON`). */
  readonly topology: Obj
  /** The model's layers in Keras's order: the naming of `weights`' layer groups. */
  readonly order: ReadonlyArray<OrderedLayer>
  readonly weights: WeightsFile
  /** The archive's `compile_config`, or null without one. */
  readonly compile: Obj | null
}

/**
 * The most a `.keras` archive's config.json may hold for ckpt to read it: 64 MiB, tens of thousands of layers
 * (a layer's config is about 1 KB), well below V8's longest string (about 512 M characters) and what parsing it takes.
 */
export const CONFIG_LIMIT = 64 << 20

/** The data of `name` in a `.keras` archive, within `limit`; Left when it is missing or unreadable. */
const kerasEntry = async (
  archive: ZipArchive,
  name: string,
  limit: number,
  label: string,
): Promise<E.Either<KerasFormatError, Uint8Array>> => {
  const data = await readEntry(archive, name, limit)
  if (E.isLeft(data)) return E.left(invalidArchive(label, data.left.message))
  if (data.right !== null) return E.right(data.right)
  // The names for the message: the first ten, and how many more.
  const names = archive.records.slice(0, 10).map((r) => r.name)
  const more = archive.records.length - names.length
  return E.left(invalidArchive(label, `expected ${name}, found ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`))
}

/**
 * The parts of `.keras` bytes (`label` names the file in messages). Inflates config.json and model.weights.h5
 * only, each within its limit; any other entry (metadata.json, assets) is left as it is.
 */
export const decodeKerasArchive = async (bytes: Uint8Array, label: string): Promise<E.Either<KerasFormatError, KerasArchive>> => {
  const archive = openZip(bytes)
  if (E.isLeft(archive)) return E.left(invalidArchive(label, archive.left.message))
  const configBytes = await kerasEntry(archive.right, 'config.json', CONFIG_LIMIT, label)
  if (E.isLeft(configBytes)) return configBytes
  const parsed = parseBoundedJson(new TextDecoder().decode(configBytes.right), JSON_DEPTH.model)
  if (E.isLeft(parsed)) return E.left(invalidArchive(label, `config.json is not JSON (${parsed.left})`))
  const config = parsed.right
  const topology = kerasToTfjsConfig(config)
  if (E.isLeft(topology)) return topology
  const order = kerasLayerOrder(config)
  if (E.isLeft(order)) return order
  const h5 = await kerasEntry(archive.right, 'model.weights.h5', MAX_ZIP_ENTRY_BYTES, label)
  if (E.isLeft(h5)) return h5
  const weights = await decodeWeightsH5(h5.right, `${label}/model.weights.h5`)
  if (E.isLeft(weights)) return weights
  const compile = isObj(config) && isObj(config['compile_config']) ? config['compile_config'] : null
  return E.right({ topology: topology.right, order: order.right, weights: weights.right, compile })
}

/** The most a `.keras` archive's metadata.json may hold for ckpt to read it (it is a few hundred bytes). */
export const METADATA_LIMIT = 1 << 20

const readMetadata = async (bytes: Uint8Array, label: string): Promise<E.Either<KerasFormatError, Obj | null>> => {
  const entry = await readZipEntry(bytes, 'metadata.json', METADATA_LIMIT)
  if (E.isLeft(entry)) return E.left(invalidArchive(label, entry.left.message))
  if (entry.right === null) return E.right(null)
  const json = parseBoundedJson(new TextDecoder().decode(entry.right), JSON_DEPTH.record)
  if (E.isLeft(json)) return E.left(invalidArchive(label, `metadata.json is not JSON (${json.left})`))
  return isObj(json.right) ? E.right(json.right) : E.left(invalidArchive(label, 'metadata.json is not a JSON object'))
}

/**
 * The archive with `key: value` set in its metadata.json (which Keras writes and never reads back), every other
 * entry unchanged: chunks that view `bytes`, so only metadata.json is copied. Left when the archive cannot be
 * read or has no metadata.json.
 */
export const withMetadataKey = async (
  bytes: Uint8Array,
  key: string,
  value: unknown,
  label: string,
): Promise<E.Either<KerasFormatError, ReadonlyArray<Uint8Array>>> => {
  const metadata = await readMetadata(bytes, label)
  if (E.isLeft(metadata)) return metadata
  if (metadata.right === null) return E.left(invalidArchive(label, 'it has no metadata.json'))
  const data = new TextEncoder().encode(JSON.stringify({ ...metadata.right, [key]: value }))
  const chunks = replaceZipEntry(bytes, 'metadata.json', data)
  return E.isLeft(chunks) ? E.left(invalidArchive(label, chunks.left.message)) : chunks
}

/**
 * The value of `key` in the archive's metadata.json, or undefined when the archive, its metadata.json or the
 * key is missing or unreadable. Reads only metadata.json, at most {@link METADATA_LIMIT} bytes inflated.
 */
export const metadataKey = async (bytes: Uint8Array, key: string): Promise<unknown> => {
  const metadata = await readMetadata(bytes, '(archive)')
  return E.isRight(metadata) && metadata.right !== null && Object.prototype.hasOwnProperty.call(metadata.right, key)
    ? metadata.right[key]
    : undefined
}
