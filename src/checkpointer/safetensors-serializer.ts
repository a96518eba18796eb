import * as E from '#fp-ts/Either.js'
import { encodeSafetensorsOrThrow, type Tensor, type Tensors } from '../tensors/index.js'
import { CheckpointFailure } from './errors.js'
import { checkpointMetaToJson } from './checkpoint-meta.js'
import { readCode } from './read-load.js'
import type { CheckpointMeta, Serializer } from './serializer.js'
import { safetensorsCode } from './safetensors-load.js'
import { decodeMaxShardSize, shardedClaims, versionedShardedPath } from './sharded-names.js'
import { versionedPath } from './version-counter.js'

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
    write: async (writer, path, snapshot, meta: CheckpointMeta) => {
      const metadata = { [META_KEY]: JSON.stringify(checkpointMetaToJson(meta)) }
      // Sharding is rarer: its code is loaded when a Checkpointer is given maxShardSize, at its first save.
      if (maxShardSize === null) await writer.writeFile(path, encodeSafetensorsOrThrow(snapshot, metadata))
      else await (await safetensorsCode()).writeTensors(writer, path, snapshot, metadata, maxShardSize)
    },
    // The read side is loaded at the first restore (safetensors-read.ts).
    read: async (reader, path) => (await readCode()).readSafetensors(reader, path, null),
    // Only the named tensors: their bytes and the header, plus the rest of the blocks they touch (of the shards that
    // hold them). A file from before block checksums is read whole (it can only be verified whole), keeping only those.
    readTensors: async (reader, path, names) => (await readCode()).readSafetensors(reader, path, names),
    scan: async (storage) => (await safetensorsCode()).scanSafetensors(storage, META_KEY),
    ...(maxShardSize !== null
      ? { versionedPath: (path: string, n: number) => versionedShardedPath(path, n, versionedPath), claims: shardedClaims }
      : {}),
  }
}
