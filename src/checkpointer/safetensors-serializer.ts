import * as E from '#fp-ts/Either.js'
import { decodeSafetensorsStream, encodeSafetensorsOrThrow, type Tensor, type Tensors } from '../tensors/index.js'
import { isBlockRecord } from './artifact-reader.js'
import { CheckpointFailure } from './errors.js'
import { checkNames, invalidFile, readTensorRanges } from './safetensors-ranged.js'
import { checkpointMetaToJson } from './checkpoint-meta.js'
import type { ArtifactReader, CheckpointMeta, Serializer } from './serializer.js'
import { safetensorsCode } from './safetensors-load.js'
import { decodeMaxShardSize, isSharded, shardedClaims, versionedShardedPath } from './sharded-names.js'
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
    // Each tensor gets an array of its own. A file with block checksums is read by ranges, straight into the arrays,
    // its blocks hashed in parallel; an older one streams past its SHA-256 into them. Either way the restore holds the
    // tensors and a bounded amount more, never the file as one buffer, so a checkpoint may be larger than any buffer.
    read: (reader, path) => (isSharded(reader.files, path) ? readSharded(reader, path, null) : readFile(reader, path, null)),
    // Only the named tensors: their bytes and the header, plus the rest of the blocks they touch (of the shards that
    // hold them). A file from before block checksums is read whole (it can only be verified whole), keeping only those.
    readTensors: (reader, path, names) =>
      isSharded(reader.files, path) ? readSharded(reader, path, names) : readFile(reader, path, names),
    scan: async (storage) => (await safetensorsCode()).scanSafetensors(storage, META_KEY),
    ...(maxShardSize !== null
      ? { versionedPath: (path: string, n: number) => versionedShardedPath(path, n, versionedPath), claims: shardedClaims }
      : {}),
  }
}

/** The tensors of the sharded checkpoint at `path` (those named, when `names` is not null), verified shard by shard. */
const readSharded = async (reader: ArtifactReader, path: string, names: ReadonlyArray<string> | null): Promise<Record<string, Tensor>> =>
  (await safetensorsCode()).readShards(reader, path, names, readFile)

/** The tensors of the safetensors file `key` (those named, when `names` is not null), verified, by ranges where it can. */
const readFile = (reader: ArtifactReader, key: string, names: ReadonlyArray<string> | null): Promise<Record<string, Tensor>> => {
  const record = reader.files.find((f) => f.key === key)
  if (record !== undefined && isBlockRecord(record)) return readTensorRanges(reader, key, record.size, names)
  return streamed(reader, key, names)
}

/**
 * The tensors of `path` (those named, when `names` is not null), as the file streams past its checksum. The names
 * are checked once the whole file verified: until then the header itself is not to be trusted.
 */
const streamed = async (reader: ArtifactReader, path: string, names: ReadonlyArray<string> | null): Promise<Record<string, Tensor>> => {
  let all: ReadonlyArray<string> = []
  const select = names === null ? {} : { select: (found: ReadonlyArray<string>) => ((all = found), new Set(names)) }
  const tensors = await reader.readFileStream(path, async (chunks, size) => {
    const decoded = await decodeSafetensorsStream(chunks, size, select)
    if (E.isLeft(decoded)) throw invalidFile(path, decoded.left)
    return decoded.right.tensors
  })
  if (names !== null) checkNames(path, names, all)
  return tensors
}
