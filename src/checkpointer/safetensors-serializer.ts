import { decodeSafetensors, encodeSafetensorsOrThrow, type Tensor, type Tensors } from '../tensors/index.js'
import { CheckpointFailure } from './errors.js'
import { digestOf } from './checksum.js'
import { mapFiles } from './map-bounded.js'
import { checkpointMetaFromJson, checkpointMetaToJson } from './checkpoint-meta.js'
import type { CheckpointMeta, ScannedCheckpoint, Serializer } from './serializer.js'

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
    async read(reader, path) {
      const bytes = await reader.readFile(path)
      const decoded = decodeSafetensors(bytes)
      if (decoded._tag === 'Left')
        throw new CheckpointFailure({
          _tag: 'CorruptCheckpoint',
          path,
          message: `checkpoint "${path}" is not a valid safetensors file: ${decoded.left.message}`,
          fallback: null,
        })
      return decoded.right.tensors
    },
    async scan(storage) {
      const keys = (await storage.list()).filter((key) => key.endsWith('.safetensors'))
      const scanned = await mapFiles(storage, keys, (key, bytes): ScannedCheckpoint | null => {
        const decoded = decodeSafetensors(bytes)
        const raw = decoded._tag === 'Right' ? decoded.right.metadata[META_KEY] : undefined
        const meta = raw === undefined ? null : parseMeta(raw)
        // not a ckpt checkpoint, or unreadable: not ours to index
        return meta === null ? null : { path: key, files: [{ key, ...digestOf(bytes) }], meta }
      })
      return scanned.filter((s) => s !== null)
    },
  }
}

/** The CheckpointMeta a ckpt safetensors file carries, or null when it is not one. */
const parseMeta = (raw: string): CheckpointMeta | null => {
  try {
    return checkpointMetaFromJson(JSON.parse(raw))
  } catch {
    return null
  }
}
