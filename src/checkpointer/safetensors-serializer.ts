import * as E from '#fp-ts/Either.js'
import type { Storage } from '../storage/storage.js'
import { decodeSafetensorsStream, type Tensor, type Tensors } from '../tensors/index.js'
import { CheckpointFailure } from './errors.js'
import { digestStream } from './checksum.js'
import { readSafetensorsHead } from './safetensors-head.js'
import { mapBounded, SCAN_CONCURRENCY } from './map-bounded.js'
import { checkpointMetaFromJson, checkpointMetaToJson } from './checkpoint-meta.js'
import type { CheckpointMeta, ScannedCheckpoint, Serializer } from './serializer.js'
import {
  decodeMaxShardSize,
  isSharded,
  isSingleFile,
  onePerPath,
  readShards,
  scanShards,
  shardedClaims,
  versionedShardedPath,
  writeTensors,
} from './sharded-safetensors.js'
import { versionedPath } from './version-counter.js'
import { SAFETENSORS_EXTENSION } from '../tensors/shard-plan.js'

/** The `__metadata__` key under which a safetensors checkpoint carries its own index entry data, for rebuilds. */
export const META_KEY = 'ckpt'

const invalid = (message: string): CheckpointFailure => new CheckpointFailure({ _tag: 'InvalidSnapshot', message })

/** Checks the snapshot's shape before anything is copied or written. */
export const assertTensors: (snapshot: unknown) => asserts snapshot is Tensors = (snapshot) => {
  if (typeof snapshot !== 'object' || snapshot === null || Array.isArray(snapshot) || snapshot instanceof Map)
    throw invalid(
      `the snapshot must be a record of tensors { name: { dtype, shape, data } }, got ${Array.isArray(snapshot) ? 'an array' : snapshot instanceof Map ? 'a Map' : String(snapshot)}`,
    )
  if (Object.getOwnPropertySymbols(snapshot).length > 0) throw invalid('tensor names must be strings, got a symbol key')
  for (const [name, t] of Object.entries(snapshot)) {
    const tensor = t as Partial<Tensor> | null
    if (
      typeof tensor !== 'object' ||
      tensor === null ||
      !ArrayBuffer.isView(tensor.data) ||
      !Array.isArray(tensor.shape) ||
      typeof tensor.dtype !== 'string'
    )
      throw invalid(
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- here String only gets undefined, a function or a symbol
        `tensor "${name}" must be { dtype, shape, data: TypedArray }, got ${JSON.stringify(tensor)?.slice(0, 80) ?? String(tensor)}`,
      )
  }
}

export interface SafetensorsSerializerOptions {
  /**
   * Shard as Hugging Face does when the tensors' bytes pass this size: bytes, or a string such as "5GB" or "500MB"
   * (huggingface_hub's `max_shard_size`, decimal units). A checkpoint at `…/model.safetensors` is then written as
   * `…/model-00001-of-0000N.safetensors` … and `…/model.safetensors.index.json`; one that fits stays one file.
   */
  readonly maxShardSize?: number | string
}

/**
 * The default serializer: one safetensors file, written as a header plus views of the tensors' own bytes, or
 * Hugging Face's shards with `maxShardSize`. It reads and scans both, whatever its options.
 * Each Checkpointer gets its own: captures are copied into buffers that are reused from save to save
 * (the Checkpointer captures only after the previous save completed), so a copy is a memcpy into warm memory.
 */
export const safetensorsSerializer = (options: SafetensorsSerializerOptions = {}): Serializer<Tensors> => {
  const decoded = decodeMaxShardSize(options.maxShardSize)
  if (E.isLeft(decoded)) throw new CheckpointFailure(decoded.left)
  const maxShardSize = decoded.right
  const pool = new Map<string, Tensor['data']>()
  const copyInto = (name: string, t: Tensor): Tensor => {
    const src = t.data
    let dst = pool.get(name)
    if (dst === undefined || dst.constructor !== src.constructor || dst.length !== src.length) {
      dst = src.slice()
      pool.set(name, dst)
    } else (dst as Uint8Array).set(src as Uint8Array)
    return { dtype: t.dtype, shape: [...t.shape], data: dst }
  }
  return {
    format: 'safetensors',
    capture(snapshot, { immutable }) {
      assertTensors(snapshot)
      if (immutable) return snapshot
      const out = Object.create(null) as Record<string, Tensor>
      for (const [name, t] of Object.entries(snapshot)) out[name] = copyInto(name, t)
      return out
    },
    write: (writer, path, snapshot, meta: CheckpointMeta) =>
      writeTensors(writer, path, snapshot, { [META_KEY]: JSON.stringify(checkpointMetaToJson(meta)) }, maxShardSize),
    // Each tensor gets an array of its own, filled as the file streams past its checksum: the restore holds the
    // tensors and one chunk, never the file as one buffer, so a checkpoint may be larger than any one buffer.
    read: (reader, path) =>
      isSharded(reader.files, path)
        ? readShards(reader, path)
        : reader.readFileStream(path, async (chunks, size) => {
            const decoded = await decodeSafetensorsStream(chunks, size)
            if (E.isRight(decoded)) return decoded.right.tensors
            // A valid file with a tensor no typed array can hold is not corrupt: the restore cannot be done here.
            if (decoded.left._tag === 'TensorTooLarge') throw new CheckpointFailure(decoded.left)
            throw new CheckpointFailure({
              _tag: 'CorruptCheckpoint',
              path,
              message: `checkpoint "${path}" is not a valid safetensors file: ${decoded.left.message}`,
              fallback: null,
            })
          }),
    async scan(storage) {
      const listed = await storage.list()
      const sharded = await scanShards(storage, listed, META_KEY, parseMeta)
      const keys = listed.filter((k) => k.endsWith(SAFETENSORS_EXTENSION))
      const found = async (key: string, raw: string | null): Promise<ScannedCheckpoint | null> => {
        const meta = raw === null ? null : parseMeta(raw)
        if (meta === null) return null // not a ckpt checkpoint, or unreadable: not ours to index
        const { size, sha256 } = await digestStream(await storage.readStream(key))
        return { path: key, files: [{ key, size, sha256 }], meta }
      }
      // Headers that fit the first read, 16 files at once; larger ones (up to 100 MB each) one file at a time after.
      const first = await mapBounded(keys, SCAN_CONCURRENCY, async (key) => {
        const raw = await entryDataOf(storage, key, false)
        return raw === LARGE ? LARGE : found(key, raw)
      })
      const scanned: Array<ScannedCheckpoint | null> = []
      for (const [i, r] of first.entries()) {
        const key = keys[i] as string
        scanned.push(r === LARGE ? await found(key, (await entryDataOf(storage, key, true)) as string | null) : r)
      }
      return onePerPath([...scanned.filter((s) => s !== null), ...sharded])
    },
    ...(maxShardSize !== null
      ? { versionedPath: (path: string, n: number) => versionedShardedPath(path, n, versionedPath), claims: shardedClaims }
      : {}),
  }
}

/** A header longer than the first read: read later, one file at a time. */
const LARGE = Symbol('large header')

/**
 * The ckpt entry data in the header of the safetensors file at `key`, or null when it has none or is not a valid
 * safetensors file (as far as its header tells); LARGE, unread, when its header is longer than the first read and
 * `large` is false.
 */
const entryDataOf = async (storage: Storage, key: string, large: boolean): Promise<string | null | typeof LARGE> => {
  const head = await readSafetensorsHead(storage, key, large)
  if (head === null) return LARGE
  if (E.isLeft(head) || !isSingleFile(key, head.right.header.metadata)) return null
  return head.right.header.metadata?.get(META_KEY) ?? null
}

/** The CheckpointMeta a ckpt safetensors file carries, or null when it is not one. */
const parseMeta = (raw: string): CheckpointMeta | null => {
  try {
    return checkpointMetaFromJson(JSON.parse(raw))
  } catch {
    return null
  }
}
