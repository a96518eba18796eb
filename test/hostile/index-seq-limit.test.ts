// The index's write count (`seq`) is input: a planted segment-like file, or the index file itself, can carry any
// number. A writer must never write a `seq` (or a segment key) that the index schema refuses, or every later
// opening of the folder fails. Before, a file `ckpt-index.d/9999999999999999-00000000.json` planted in a folder
// whose index was lost made the rebuild write `seq` 10^16 (past 2^53); an index at seq 2^53 - 1 made the next save
// write 2^53. Both wrote an index that no later opening read.
import { describe, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { MAX_SEQ } from '../../src/checkpointer/index-keys.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from '../checkpointer/support.js'

const options = { filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet } as const
const text = (s: string) => new TextEncoder().encode(s)
const paths = ['e1.safetensors', 'e2.safetensors', 'e3.safetensors']

const folder = async (): Promise<Storage> => {
  const storage = memoryStorage()
  const c = await createCheckpointer({ storage, ...options })
  for (let epoch = 0; epoch < 3; epoch++) await c.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(epoch, 4))
  await c.close()
  return storage
}

const withSeq = async (storage: Storage, seq: number) => {
  const head = JSON.parse(new TextDecoder().decode(await storage.read(INDEX_KEY))) as { seq: number }
  head.seq = seq
  await storage.write(INDEX_KEY, text(JSON.stringify(head)))
}

const opensWith = async (storage: Storage, expected: ReadonlyArray<string>) => {
  const again = await createCheckpointer({ storage, ...options })
  expect((await again.list()).map((e) => e.path)).toEqual(expected)
  await again.close()
}

describe('the index write count at its limits', () => {
  it('a lost index is rebuilt past a planted segment file of a huge seq, and the rebuilt index opens', async () => {
    const storage = await folder()
    await storage.remove(INDEX_KEY)
    const planted = 'ckpt-index.d/9999999999999999-00000000.json'
    await storage.write(planted, text('not a segment'))
    const rebuilt = await createCheckpointer({ storage, ...options })
    expect((await rebuilt.list()).map((e) => e.path)).toEqual(paths)
    await rebuilt.close()
    await opensWith(storage, paths)
    expect(await storage.stat(planted)).not.toBeNull()
  })

  it('an index at the last seq ckpt writes: the save is refused as CorruptIndex, the index is not rewritten, the folder opens', async () => {
    const storage = await folder()
    await withSeq(storage, MAX_SEQ)
    const before = await storage.read(INDEX_KEY)
    const ckpt = await createCheckpointer({ storage, ...options })
    await expect(ckpt.onEpochEnd({ epoch: 3, logs: { loss: 1 } }, tensorsFor(3, 4))).rejects.toMatchObject({ _tag: 'CorruptIndex' })
    await ckpt.close()
    expect(await storage.read(INDEX_KEY)).toEqual(before)
    await opensWith(storage, paths)
  })

  it('an index past it (2^53 - 1) is refused at open, untouched', async () => {
    const storage = await folder()
    await withSeq(storage, Number.MAX_SAFE_INTEGER)
    await expect(createCheckpointer({ storage, ...options })).rejects.toMatchObject({
      _tag: 'CorruptIndex',
      message: expect.stringMatching(/seq: got 9007199254740991, expected an index-write count of at most/),
    })
  })
})
