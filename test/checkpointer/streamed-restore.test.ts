import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { verifyingReader } from '../../src/checkpointer/artifact-reader.js'
import { createCheckpointer, safetensorsSerializer, verifyEntry, type Entry } from '../../src/checkpointer/index.js'
import { IO_CALL_BYTES, MAX_READ_BYTES } from '../../src/storage/data.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { FsFileHandle, FsModule } from '../../src/storage/fs/fs-module.js'
import { MAX_TENSOR_BYTES, type Tensors } from '../../src/tensors/index.js'
import { quiet } from './support.js'

const root = mkdtempSync(join(tmpdir(), 'ckpt-streamed-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0
const fresh = () => join(root, `d${++n}`)

const bytesOf = (d: ArrayBufferView): Uint8Array => new Uint8Array(d.buffer, d.byteOffset, d.byteLength)

/** Records the length of every read call on a file handle. */
const readLengths = () => {
  const lengths: number[] = []
  const wrapHandle = (h: FsFileHandle): FsFileHandle => ({
    write: (b, o, l, p) => h.write(b, o, l, p),
    read: (b, o, l, p) => (lengths.push(l), h.read(b, o, l, p)),
    sync: () => h.sync(),
    stat: (o) => h.stat(o),
    close: () => h.close(),
  })
  const wrap = (fs: FsModule): FsModule => ({ ...fs, open: async (f, flags, mode) => wrapHandle(await fs.open(f, flags, mode)) })
  return { lengths, wrap }
}

/** 6 MiB of tensors, each word distinct. */
const tensors = (): Tensors => {
  const a = Float32Array.from({ length: 1 << 20 }, (_, i) => i + 0.5)
  const b = Int32Array.from({ length: (1 << 19) + 3 }, (_, i) => -i)
  return { a: { dtype: 'F32', shape: [1 << 20], data: a }, b: { dtype: 'I32', shape: [b.length], data: b } }
}

const saved = async () => {
  const dir = fresh()
  const c = await createCheckpointer({ storage: fsStorage(dir), filepath: 'm.safetensors', monitor: 'loss', ...quiet })
  await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensors())
  const [entry] = await c.list()
  await c.close()
  return { dir, entry: entry! }
}

describe('a verified restore streams the file into the tensors', () => {
  it('restores every tensor into an array of its own, read straight into it in bounded calls, never the file whole', async () => {
    const { dir } = await saved()
    const fs = readLengths()
    const c = await createCheckpointer({
      storage: fsStorage(dir, { wrapFs: fs.wrap }),
      filepath: 'm.safetensors',
      monitor: 'loss',
      ...quiet,
    })
    const { value } = await c.restore('latest')
    const want = tensors()
    expect(Object.keys(value).sort()).toEqual(Object.keys(want))
    for (const [name, t] of Object.entries(value)) {
      expect(t.data.constructor).toBe(want[name]!.data.constructor)
      expect(Buffer.compare(bytesOf(t.data), bytesOf(want[name]!.data))).toBe(0)
      expect(t.data.byteOffset).toBe(0)
      expect(t.data.buffer.byteLength).toBe(t.data.byteLength)
    }
    // Block checksums let each tensor be read into its own array (positional reads of at most IO_CALL_BYTES).
    expect(Math.max(...fs.lengths)).toBeLessThanOrEqual(Math.min(IO_CALL_BYTES, 4 << 20))
    await c.close()
  })

  it('verifyEntry reads in 1 MiB calls, and still finds a flipped last byte', async () => {
    const { dir, entry } = await saved()
    const fs = readLengths()
    const storage = fsStorage(dir, { wrapFs: fs.wrap })
    expect(await verifyEntry(storage, entry)).toBe(null)
    expect(Math.max(...fs.lengths)).toBeLessThanOrEqual(1 << 20)
    const file = join(dir, 'm.safetensors')
    const bytes = readFileSync(file)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1
    writeFileSync(file, bytes)
    expect(await verifyEntry(storage, entry)).toContain('fails its checksum')
  })

  it('a consumer that stops early is still verified to the end: a bad last byte is a CorruptCheckpoint', async () => {
    const { dir, entry } = await saved()
    const file = join(dir, 'm.safetensors')
    const bytes = readFileSync(file)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1
    writeFileSync(file, bytes)
    const reader = verifyingReader(fsStorage(dir), entry)
    const first = reader.readFileStream('m.safetensors', async (chunks) => {
      for await (const c of chunks) return c.byteLength
      return 0
    })
    await expect(first).rejects.toMatchObject({ _tag: 'CorruptCheckpoint', message: expect.stringContaining('fails its checksum') })
  })

  it('readFile of a file larger than one buffer holds is StorageFailed (Unsupported) naming readFileStream, and reads nothing', async () => {
    const dir = fresh()
    await fsStorage(dir).write('x.bin', new Uint8Array(1))
    const fd = openSync(join(dir, 'x.bin'), 'r+')
    ftruncateSync(fd, MAX_READ_BYTES + 1) // sparse: no disk blocks
    closeSync(fd)
    const fs = readLengths()
    const entry = {
      path: 'x.bin',
      files: [{ key: 'x.bin', size: MAX_READ_BYTES + 1, sha256: `sha256:${'0'.repeat(64)}` }],
    } as unknown as Entry
    const e = await verifyingReader(fsStorage(dir, { wrapFs: fs.wrap }), entry)
      .readFile('x.bin')
      .catch((x: unknown) => x)
    expect(e).toMatchObject({ _tag: 'StorageFailed', cause: { _tag: 'Unsupported' } })
    expect((e as Error).message).toContain('readFileStream')
    expect(fs.lengths).toEqual([])
  })

  it('a valid file with a tensor past MAX_TENSOR_BYTES restores as TensorTooLarge, not as a corrupt checkpoint', async () => {
    const big = MAX_TENSOR_BYTES + 8
    const json = new TextEncoder().encode(`{"w":{"dtype":"F64","shape":[${big / 8}],"data_offsets":[0,${big}]}}`)
    const head = new Uint8Array(8 + json.length)
    new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true)
    head.set(json, 8)
    const reader = {
      files: [],
      readFile: () => Promise.reject(new Error('not used')),
      readFileStream: <A>(_: string, consume: (chunks: AsyncIterable<Uint8Array>, size: number) => Promise<A>) =>
        consume((async function* () { yield head })(), head.length + big), // prettier-ignore
      readRanges: () => Promise.reject(new Error('not used')),
      readRange: () => Promise.reject(new Error('not used')),
    }
    await expect(safetensorsSerializer().read(reader, 'w.safetensors')).rejects.toMatchObject({
      _tag: 'TensorTooLarge',
      tensor: 'w',
      byteLength: big,
      limit: MAX_TENSOR_BYTES,
    })
  })
})
