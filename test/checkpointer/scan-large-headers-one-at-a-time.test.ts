// The lost-index scan of safetensors files reads each file's header only, 16 files at once. A header larger than
// the first read (up to 100 MB each, the format's limit) must be read one file at a time, as large files are in
// the other scans (map-bounded.ts): 16 headers of 100 MB in flight at once held 1.6 GB (twice that with their
// copies), from a folder of sparse junk files.
import { expect, it } from 'vitest'
import { safetensorsSerializer } from '../../src/checkpointer/safetensors-serializer.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { countingReads } from './support.js'

const HEADER = 4 * 1024 * 1024

it('headers larger than the first read are read one file at a time', async () => {
  const storage = memoryStorage()
  // Junk files that declare a 4 MiB header (spaces: not JSON) and hold it.
  const file = new Uint8Array(8 + HEADER).fill(0x20)
  new DataView(file.buffer).setBigUint64(0, BigInt(HEADER), true)
  for (let i = 0; i < 16; i++) await storage.write(`junk/f${i}.safetensors`, file)
  const c = countingReads(storage, new Map((await storage.list()).map((k) => [k, 8 + HEADER])))
  expect(await safetensorsSerializer().scan!(c.storage)).toEqual([])
  // One header at a time (plus the small first reads of the others); 16 at once would be 16 × 4 MiB.
  expect(c.most()).toBeLessThanOrEqual(2 * HEADER)
})
