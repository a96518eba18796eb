/** Builders for the corpus: valid checkpoints written by ckpt itself, and the byte-level pieces the cases break. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createCheckpointer } from '../../../src/checkpointer/index.js'
import { fsStorage } from '../../../src/storage/fs.js'
import { CRASH_MODES, type CrashMode } from '../../checkpointer/crash-modes.js'

/** Writes `epochs` checkpoints of one kind into `dir` (loss 1/(e+1), so the latest is also the best); returns their paths. */
export const savedFolder = async (dir: string, mode: CrashMode, epochs = 2): Promise<ReadonlyArray<string>> => {
  const setup = CRASH_MODES[mode]
  const serializer = await setup.serializer()
  const c = await createCheckpointer<unknown, unknown>({
    storage: fsStorage(dir),
    ...setup.options,
    ...(serializer !== undefined ? { serializer } : {}),
    log: () => undefined,
  })
  const paths: string[] = []
  for (let epoch = 0; epoch < epochs; epoch++) {
    const { path } = await c.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, await setup.snapshot(epoch))
    if (path === null) throw new Error(`epoch ${epoch} was not saved`)
    paths.push(path)
  }
  await c.close()
  return paths
}

/** The bytes of one checkpoint file ckpt wrote with `mode` (in a scratch folder under `dir`). */
export const savedFile = async (dir: string, mode: CrashMode): Promise<Uint8Array> => {
  const folder = join(dir, `.source-${mode}`)
  const [path] = await savedFolder(folder, mode, 1)
  return readFileSync(join(folder, path as string))
}

/** A safetensors file: the 8-byte little-endian header length (`declared`, default the header's own), the header, the data. */
export const safetensorsBytes = (header: string, data: Uint8Array = new Uint8Array(0), declared?: bigint): Uint8Array => {
  const head = new TextEncoder().encode(header)
  const out = new Uint8Array(8 + head.length + data.length)
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(head.length), true)
  out.set(head, 8)
  out.set(data, 8 + head.length)
  return out
}

/** The entries of a zip of STORE entries (what ckpt writes), read from its local headers. */
export const storedEntries = (zip: Uint8Array): ReadonlyArray<{ name: string; data: Uint8Array }> => {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  const out: { name: string; data: Uint8Array }[] = []
  for (let p = 0; view.getUint32(p, true) === 0x04034b50;) {
    const size = view.getUint32(p + 18, true)
    const nameLength = view.getUint16(p + 26, true)
    const extra = view.getUint16(p + 28, true)
    const start = p + 30 + nameLength + extra
    out.push({ name: new TextDecoder().decode(zip.subarray(p + 30, p + 30 + nameLength)), data: zip.slice(start, start + size) })
    p = start + size
  }
  return out
}

/** JSON text nested `depth` arrays deep. */
export const deepJson = (depth: number, inner = '0'): string => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
