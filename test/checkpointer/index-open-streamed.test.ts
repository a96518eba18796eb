// Opening a folder streams each segment in the storage's chunks, checked as they pass, and never reads one whole: at
// 100,000 checkpoints a whole read held the 43 MB segment twice (its bytes and its text), which was most of the time
// opening took. A segment in another layout (valid JSON of the same value) still opens: its stream stops at the first
// chunk (and the one read ahead), told by its first bytes, and it is read whole.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { SEGMENT_PREFIX } from '../../src/checkpointer/index-keys.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { ByteRange, Storage } from '../../src/storage/storage.js'
import { tempDir, tensorsFor, versionOneIndex } from './support.js'

const tmp = tempDir('ckpt-open-streamed-')
afterAll(tmp.cleanup)

const N = 2_000
const CHUNK = 4096
const options = { filepath: 'run/e{epoch}.safetensors', monitor: 'loss', log: () => {} } as const

/** `storage`, recording the reads of segments: whole (`read`) or streamed (`readStream`, with each chunk's size). */
const recording = (storage: Storage) => {
  const reads: Array<{ key: string; range: ByteRange | undefined }> = []
  const streams: Array<{ key: string; range: ByteRange | undefined; chunks: number[] }> = []
  const isSegment = (key: string) => key.startsWith(SEGMENT_PREFIX)
  // The storage's own methods and getters, through its prototype, but for these two.
  const wrapped: Storage = Object.assign(Object.create(storage) as Storage, {
    read: (key: string, range?: ByteRange) => {
      if (isSegment(key)) reads.push({ key, range })
      return storage.read(key, range)
    },
    readStream: async (key: string, range?: ByteRange) => {
      const inner = await storage.readStream(key, range)
      if (!isSegment(key)) return inner
      const seen = { key, range, chunks: [] as number[] }
      streams.push(seen)
      return (async function* () {
        for await (const chunk of inner) {
          seen.chunks.push(chunk.byteLength)
          yield chunk
        }
      })()
    },
  })
  return { storage: wrapped, reads, streams }
}

const opened = async (storage: Storage) => {
  const reader = await createCheckpointer({ storage, ...options })
  const paths = (await reader.list()).map((c) => c.path)
  await reader.close()
  return paths
}

it('a segment in the layout ckpt writes is streamed in chunks, once, and never read whole; another layout is read whole', async () => {
  writeFileSync(join(tmp.dir, INDEX_KEY), versionOneIndex(N))
  const writer = await createCheckpointer({ storage: fsStorage(tmp.dir), ...options })
  await writer.onEpochEnd({ epoch: N, logs: { loss: 0 } }, tensorsFor(N))
  await writer.close()
  const [segment] = readdirSync(join(tmp.dir, SEGMENT_PREFIX))
  const key = `${SEGMENT_PREFIX}${segment}`
  const size = readFileSync(join(tmp.dir, key)).length
  expect(size).toBeGreaterThan(100 * CHUNK)
  const expected = [...Array.from({ length: N }, (_, i) => `seed/e${i + 1}.safetensors`), `run/e${N + 1}.safetensors`]

  const own = recording(fsStorage(tmp.dir, { readChunkBytes: CHUNK }))
  expect(await opened(own.storage)).toEqual(expected)
  expect(own.reads).toEqual([])
  expect(own.streams.map(({ key, range }) => ({ key, range }))).toEqual([{ key, range: { start: 0, end: size + 1 } }])
  expect(own.streams[0]!.chunks.reduce((a, b) => a + b, 0)).toBe(size)
  expect(Math.max(...own.streams[0]!.chunks)).toBeLessThanOrEqual(CHUNK)

  // The same segment as one line of JSON, its keys in another order (and the index file's record of it to match):
  // valid, in another layout, told from ckpt's by its first bytes.
  const { format, version, ...rest } = JSON.parse(readFileSync(join(tmp.dir, key), 'utf8')) as Record<string, unknown>
  const relaid = new TextEncoder().encode(JSON.stringify({ version, format, ...rest }))
  writeFileSync(join(tmp.dir, key), relaid)
  const head = JSON.parse(readFileSync(join(tmp.dir, INDEX_KEY), 'utf8')) as { segments: Array<{ size: number; sha256: string }> }
  head.segments[0]!.size = relaid.length
  head.segments[0]!.sha256 = `sha256:${createHash('sha256').update(relaid).digest('hex')}`
  writeFileSync(join(tmp.dir, INDEX_KEY), JSON.stringify(head))
  const other = recording(fsStorage(tmp.dir, { readChunkBytes: CHUNK }))
  expect(await opened(other.storage)).toEqual(expected)
  expect(other.streams.map((s) => s.key)).toEqual([key])
  // The first chunk, and the one read ahead of it.
  expect(other.streams[0]!.chunks.length).toBeLessThanOrEqual(2)
  expect(other.reads).toEqual([{ key, range: { start: 0, end: relaid.length + 1 } }])
})
