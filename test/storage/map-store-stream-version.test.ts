// The Map store (the browser build's memoryStorage) uses the pages of an overwritten object again for later
// writes: not while a readStream still reads them, which sees the version it opened, whole.
import { expect, it } from 'vitest'
import { memoryStorage } from '../../src/storage/memory-browser.js'

const MiB = 1 << 20

it('a readStream sees the version it opened while the object is overwritten twice (the pages it reads are not reused)', async () => {
  const s = memoryStorage()
  await s.write('k', new Uint8Array(MiB).fill(1))
  const stream = (await s.readStream('k'))[Symbol.asyncIterator]()
  const first = await stream.next()
  // v2 takes new pages; v1's would go to the pool and v3 would be written into them.
  await s.write('k', new Uint8Array(MiB).fill(2))
  await s.write('k', new Uint8Array(MiB).fill(3))
  const got = [first.value as Uint8Array]
  for (let r = await stream.next(); r.done !== true; r = await stream.next()) got.push(r.value)
  expect(got.reduce((n, c) => n + c.byteLength, 0)).toBe(MiB)
  expect(got.every((c) => c.every((b) => b === 1))).toBe(true)
  expect((await s.read('k')).every((b) => b === 3)).toBe(true)
})
