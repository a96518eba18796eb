// A checkpoint folder is input: the index's segments too. A segment reference that names any other file, a segment
// that lists the index's own files as a checkpoint's, one nested too deep, or one larger than recorded is a
// CorruptIndex naming it, and nothing in the folder is touched (a corrupt index is never rewritten, nothing deleted).
import { describe, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { JOURNAL_MAX } from '../../src/checkpointer/index-segment.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from '../checkpointer/support.js'

const options = { filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet } as const
const text = (s: string) => new TextEncoder().encode(s)

/** A folder whose index has one segment; returns the storage, the index file's JSON and the segment's key. */
const folder = async () => {
  const storage = memoryStorage()
  const c = await createCheckpointer({ storage, ...options })
  for (let epoch = 0; epoch <= JOURNAL_MAX; epoch++) await c.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(epoch, 4))
  await c.close()
  await storage.write('notes.txt', text('the user wrote this'))
  const head = JSON.parse(new TextDecoder().decode(await storage.read(INDEX_KEY))) as {
    segments: Array<{ key: string; size: number; sha256: string }>
  }
  expect(head.segments).toHaveLength(1)
  return { storage, head, segment: head.segments[0]! }
}

const snapshot = async (storage: Storage) => {
  const out: Record<string, string> = {}
  for (const key of await storage.list()) out[key] = Buffer.from(await storage.read(key)).toString('base64')
  return out
}

const refused = async (storage: Storage, message: RegExp) => {
  const before = await snapshot(storage)
  await expect(createCheckpointer({ storage, ...options })).rejects.toMatchObject({
    _tag: 'CorruptIndex',
    message: expect.stringMatching(message),
  })
  await expect(loadIndex(storage)).rejects.toMatchObject({ _tag: 'CorruptIndex' })
  expect(await snapshot(storage)).toEqual(before)
}

/** Rewrites the segment with `edit` applied to its text, and the index file's record of it to match. */
const replaceSegment = async (
  storage: Storage,
  head: { segments: Array<{ key: string; size: number; sha256: string }> },
  edit: (s: string) => string,
) => {
  const ref = head.segments[0]!
  const bytes = text(edit(new TextDecoder().decode(await storage.read(ref.key))))
  const { createHash } = await import('node:crypto')
  ref.size = bytes.length
  ref.sha256 = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  await storage.write(ref.key, bytes)
  await storage.write(INDEX_KEY, text(JSON.stringify(head)))
}

describe('hostile index segments', () => {
  it('a segment reference naming a user file is refused by the schema (merging would delete it)', async () => {
    const { storage, head } = await folder()
    head.segments[0]!.key = 'notes.txt'
    await storage.write(INDEX_KEY, text(JSON.stringify(head)))
    await refused(storage, /segments\.0\.key: got "notes\.txt", expected a segment key/)
  })

  it("a segment listing the index file, a segment or the lock as a checkpoint's file is refused", async () => {
    for (const planted of ['ckpt-index.json', 'ckpt-index.d/1-00000000.json', 'ckpt-writer.lock']) {
      const { storage, head } = await folder()
      await replaceSegment(storage, head, (s) => s.replace('"key":"e1.safetensors"', `"key":${JSON.stringify(planted)}`))
      await refused(
        storage,
        /does not match the segment schema \(checkpoints\.0\.files\.0\.key: .*other than the index, its segments and the lock/,
      )
    }
  })

  it('a policy state nested deeper than the index allows is refused before anything recurses over it', async () => {
    const { storage, head } = await folder()
    await replaceSegment(storage, head, (s) =>
      s.replace('"policyState":{', `"policyState":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)},`),
    )
    await refused(storage, /has a policy state nested more than 61 deep \(checkpoints\.0\.policyState\)/)
  })

  it('an entry field the schema does not know, nested deeper than the index allows, is refused too (a merge would recurse over it)', async () => {
    const { storage, head } = await folder()
    await replaceSegment(storage, head, (s) =>
      s.replace('"policyState":{', `"extra":${'['.repeat(100_000)}${']'.repeat(100_000)},"policyState":{`),
    )
    await refused(storage, /has a field "extra" nested more than 61 deep \(checkpoints\.0\.extra\)/)
  })

  it('an index naming one segment many times is refused before it reads it again (each name was a read, a decode and a copy held)', async () => {
    const { storage, head, segment } = await folder()
    head.segments = Array.from({ length: 2000 }, () => segment)
    await storage.write(INDEX_KEY, text(JSON.stringify(head)))
    await refused(storage, new RegExp(`names the segment "${segment.key}" more than once`))
  })

  it('a segment replaced by a far larger file is read one byte past its recorded size, and refused', async () => {
    const { storage, segment } = await folder()
    await storage.write(segment.key, new Uint8Array(64 * 1024 * 1024))
    await refused(storage, new RegExp(`has ${segment.size + 1} or more bytes, not the ${segment.size} recorded`))
  })
})
