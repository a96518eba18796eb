// readInto, the optional read into a caller's buffer (fs and memory storage have it): the bytes of the range land
// at the start of the target, the count comes back (short at the object's end), and the errors are read's.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { tempDir } from '../checkpointer/support.js'

const root = tempDir('ckpt-read-into-')
afterAll(root.cleanup)
let n = 0

describe.each([
  ['fs', (): Storage => fsStorage(join(root.dir, `s${++n}`))],
  ['memory', (): Storage => memoryStorage()],
])('readInto on %s storage', (_, make) => {
  it('reads the range into the start of the target and says how many bytes it read', async () => {
    const s = make()
    const bytes = new Uint8Array(randomBytes(100_000))
    await s.write('a/b.bin', bytes)
    const target = new Uint8Array(70_000).fill(7)
    expect(await s.readInto!('a/b.bin', { start: 30_000, end: 90_000 }, target)).toBe(60_000)
    expect(Buffer.from(target.subarray(0, 60_000)).equals(bytes.subarray(30_000, 90_000))).toBe(true)
    expect(target[60_000]).toBe(7)
    expect(await s.readInto!('a/b.bin', { start: 99_990, end: 100_100 }, target)).toBe(10)
  })

  it('a missing key is NotFound, an invalid range Unsupported, a target too small an IOError', async () => {
    const s = make()
    await s.write('x', new Uint8Array(10))
    await expect(s.readInto!('nope', { start: 0, end: 1 }, new Uint8Array(1))).rejects.toMatchObject({ _tag: 'NotFound' })
    await expect(s.readInto!('x', { start: 5, end: 1 }, new Uint8Array(9))).rejects.toMatchObject({ _tag: 'Unsupported' })
    await expect(s.readInto!('x', { start: 0, end: 10 }, new Uint8Array(5))).rejects.toMatchObject({ _tag: 'IOError' })
  })
})
