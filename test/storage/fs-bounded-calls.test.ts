import { mkdtempSync, openSync, closeSync, ftruncateSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { IO_CALL_BYTES, MAX_READ_BYTES } from '../../src/storage/data.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { FsFileHandle, FsModule } from '../../src/storage/fs/fs-module.js'

/** A file system that records the length of every read and write call on a file handle. */
const recording = () => {
  const calls: { op: 'read' | 'write'; length: number }[] = []
  const wrapHandle = (h: FsFileHandle): FsFileHandle => ({
    write: (b, o, l, p) => (calls.push({ op: 'write', length: l }), h.write(b, o, l, p)),
    read: (b, o, l, p) => (calls.push({ op: 'read', length: l }), h.read(b, o, l, p)),
    sync: () => h.sync(),
    stat: (o) => h.stat(o),
    close: () => h.close(),
  })
  const wrap = (fs: FsModule): FsModule => ({ ...fs, open: async (f, flags, mode) => wrapHandle(await fs.open(f, flags, mode)) })
  return { calls, wrap }
}

const dir = mkdtempSync(join(tmpdir(), 'ckpt-bounded-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('fs storage: no single read or write call moves more than IO_CALL_BYTES', () => {
  // 2.5 × the call size, given as one chunk: a write of one large tensor; one read of it back.
  const size = 2.5 * IO_CALL_BYTES + 12_345
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096) & 0xff
  bytes[size - 1] = 7

  it('write: one chunk larger than the call size goes out in bounded calls, every byte written', async () => {
    const fs = recording()
    const storage = fsStorage(dir, { fsync: false, wrapFs: fs.wrap })
    await storage.write('big.bin', bytes)
    const writes = fs.calls.filter((c) => c.op === 'write')
    expect(writes.length).toBeGreaterThanOrEqual(3)
    expect(Math.max(...writes.map((c) => c.length))).toBeLessThanOrEqual(IO_CALL_BYTES)
    expect(writes.reduce((n, c) => n + c.length, 0)).toBe(size)
  })

  it('read: the whole object comes back in one buffer, read in bounded calls', async () => {
    const fs = recording()
    const storage = fsStorage(dir, { wrapFs: fs.wrap })
    const back = await storage.read('big.bin')
    expect(back.byteLength).toBe(size)
    expect(Buffer.compare(back, bytes)).toBe(0)
    const reads = fs.calls.filter((c) => c.op === 'read')
    expect(reads.length).toBeGreaterThanOrEqual(3)
    expect(Math.max(...reads.map((c) => c.length))).toBeLessThanOrEqual(IO_CALL_BYTES)
  })

  it('read: an object larger than one buffer holds is Unsupported, naming the limit and readStream, before anything is allocated', async () => {
    // A sparse file: 4 GiB and one byte of size, no disk blocks, nothing read.
    const fd = openSync(join(dir, 'huge.bin'), 'w')
    ftruncateSync(fd, MAX_READ_BYTES + 1)
    closeSync(fd)
    const fs = recording()
    const storage = fsStorage(dir, { wrapFs: fs.wrap })
    const e = await storage.read('huge.bin').catch((x: unknown) => x)
    expect(e).toMatchObject({ _tag: 'Unsupported', key: 'huge.bin' })
    expect((e as Error).message).toContain(String(MAX_READ_BYTES))
    expect((e as Error).message).toContain('readStream')
    expect(fs.calls).toEqual([])
    // The same object reads in ranges, and as a stream.
    expect((await storage.read('huge.bin', { start: MAX_READ_BYTES - 2, end: MAX_READ_BYTES + 1 })).byteLength).toBe(3)
    const stream = await storage.readStream('huge.bin', { start: MAX_READ_BYTES - 10, end: MAX_READ_BYTES + 1 })
    let n = 0
    for await (const c of stream) n += c.byteLength
    expect(n).toBe(11)
  })
})
