import { Buffer } from 'node:buffer'
import { expect, it } from 'vitest'
import { memoryStorage } from '../../src/storage/memory-browser.js'

// A Buffer (Node's, or the `buffer` package a bundler adds to a page) is a Uint8Array whose `slice` is a view of
// the same memory, not a copy: the browser build's memory storage kept the caller's memory as the object.
it('memoryStorage in a browser build: a Buffer written is copied, and what a reader gets is its own', async () => {
  const storage = memoryStorage()
  const whole = Buffer.from([1, 2, 3])
  const chunk = Buffer.from([4, 5, 6])
  await storage.write('whole', whole)
  await storage.write('chunked', [chunk])
  // The caller reuses its buffers once the writes have resolved.
  whole.fill(9)
  chunk.fill(9)
  expect(Array.from(await storage.read('whole'))).toEqual([1, 2, 3])
  expect(Array.from(await storage.read('chunked'))).toEqual([4, 5, 6])

  // Readers change what they got.
  ;(await storage.read('whole')).fill(7)
  ;(await storage.read('whole', { start: 1, end: 3 })).fill(7)
  for await (const c of await storage.readStream('whole')) c.fill(7)
  expect(Array.from(await storage.read('whole'))).toEqual([1, 2, 3])
})
