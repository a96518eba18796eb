import * as E from '#fp-ts/Either.js'
import type { Storage } from '../storage/storage.js'
import { readFrame } from '../tensors/frame.js'
import { decodeSafetensorsStream, encodeSafetensorsOrThrow, type Tensor, type Tensors } from '../tensors/index.js'
import { isBlockRecord } from './artifact-reader.js'
import { CheckpointFailure } from './errors.js'
import { checkNames, headFrom, HEAD_BYTES, invalidFile, readTensorRanges } from './safetensors-ranged.js'
import { digestStream } from './checksum.js'
import { mapBounded, SCAN_CONCURRENCY } from './map-bounded.js'
import { checkpointMetaFromJson, checkpointMetaToJson } from './checkpoint-meta.js'
import type { ArtifactReader, CheckpointMeta, ScannedCheckpoint, Serializer } from './serializer.js'

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

/**
 * The default serializer: one safetensors file, written as a header plus views of the tensors' own bytes.
 * Each Checkpointer gets its own: captures are copied into buffers that are reused from save to save
 * (the Checkpointer captures only after the previous save completed), so a copy is a memcpy into warm memory.
 */
export const safetensorsSerializer = (): Serializer<Tensors> => {
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
    async write(writer, path, snapshot, meta: CheckpointMeta) {
      const chunks = encodeSafetensorsOrThrow(snapshot, { [META_KEY]: JSON.stringify(checkpointMetaToJson(meta)) })
      await writer.writeFile(path, chunks)
    },
    // Each tensor gets an array of its own. A file with block checksums is read by ranges, straight into the arrays,
    // its blocks hashed in parallel; an older one streams past its SHA-256 into them. Either way the restore holds the
    // tensors and a bounded amount more, never the file as one buffer, so a checkpoint may be larger than any buffer.
    read: (reader, path) => {
      const record = reader.files.find((f) => f.key === path)
      if (record !== undefined && isBlockRecord(record)) return readTensorRanges(reader, path, record.size, null)
      return streamed(reader, path, null)
    },
    // Only the named tensors: their bytes and the header, plus the rest of the blocks they touch. A file from before
    // block checksums is read whole (it can only be verified whole), keeping only those tensors.
    readTensors: (reader, path, names) => {
      const record = reader.files.find((f) => f.key === path)
      if (record !== undefined && isBlockRecord(record)) return readTensorRanges(reader, path, record.size, names)
      return streamed(reader, path, names)
    },
    async scan(storage) {
      const keys = (await storage.list()).filter((key) => key.endsWith('.safetensors'))
      const scanned = await mapBounded(keys, SCAN_CONCURRENCY, async (key): Promise<ScannedCheckpoint | null> => {
        const raw = await entryDataOf(storage, key)
        const meta = raw === null ? null : parseMeta(raw)
        if (meta === null) return null // not a ckpt checkpoint, or unreadable: not ours to index
        const { size, sha256 } = await digestStream(await storage.readStream(key))
        return { path: key, files: [{ key, size, sha256 }], meta }
      })
      return scanned.filter((s) => s !== null)
    },
  }
}

/**
 * The tensors of `path` (those named, when `names` is not null), as the file streams past its checksum. The names
 * are checked once the whole file verified: until then the header itself is not to be trusted.
 */
const streamed = async (reader: ArtifactReader, path: string, names: ReadonlyArray<string> | null): Promise<Tensors> => {
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

/**
 * The ckpt entry data in the header of the safetensors file at `key`, or null when it has none or is not a valid
 * safetensors file (as far as its header tells). Reads the header only, whatever the file's size: one ranged read
 * for a small file, then a `stat` and the rest of a longer header for a large one.
 */
const entryDataOf = async (storage: Storage, key: string): Promise<string | null> => {
  const first = await storage.read(key, { start: 0, end: HEAD_BYTES })
  const size = first.byteLength < HEAD_BYTES ? first.byteLength : ((await storage.stat(key))?.size ?? first.byteLength)
  const head = await headFrom(first, size, (start, end) => storage.read(key, { start, end }))
  const frame = readFrame(head, size)
  return E.isRight(frame) ? (frame.right.header.metadata?.get(META_KEY) ?? null) : null
}

/** The CheckpointMeta a ckpt safetensors file carries, or null when it is not one. */
const parseMeta = (raw: string): CheckpointMeta | null => {
  try {
    return checkpointMetaFromJson(JSON.parse(raw))
  } catch {
    return null
  }
}
