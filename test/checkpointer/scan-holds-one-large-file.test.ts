import { expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { safetensorsSerializer } from '../../src/checkpointer/safetensors-serializer.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { ByteRange, Storage } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from './support.js'

const FILE_FLOATS = 1 << 20 // 4 MiB of float32 a checkpoint

/** `storage`, counting the bytes of the reads in flight at once (each read's size known from the files' sizes). */
const counting = (storage: Storage, sizes: ReadonlyMap<string, number>) => {
  let inFlight = 0
  let most = 0
  const read = async (key: string, range?: ByteRange): Promise<Uint8Array> => {
    const size = sizes.get(key) ?? 0
    const n = Math.max(0, Math.min(range?.end ?? size, size) - (range?.start ?? 0))
    inFlight += n
    most = Math.max(most, inFlight)
    try {
      return await storage.read(key, range)
    } finally {
      inFlight -= n
    }
  }
  return { storage: { ...storage, read }, most: () => most }
}

it('a lost-index scan of large checkpoints reads them one at a time, not 16 whole files at once', async () => {
  const storage = memoryStorage()
  const ckpt = await createCheckpointer({ storage, filepath: 'r/e{epoch}.safetensors', saveBestOnly: false, ...quiet })
  const big = tensorsFor(0)
  for (let epoch = 0; epoch < 20; epoch++)
    await ckpt.onEpochEnd(
      { epoch, logs: { loss: 1 / (epoch + 1) }, time: 1000 + epoch },
      { ...big, w: { dtype: 'F32', shape: [FILE_FLOATS], data: new Float32Array(FILE_FLOATS).fill(epoch) } },
    )
  await storage.remove(INDEX_KEY)
  const keys = await storage.list()
  const sizes = new Map<string, number>()
  for (const k of keys) sizes.set(k, (await storage.stat(k))!.size)
  const largest = Math.max(...sizes.values())
  expect(largest).toBeGreaterThan(4 * FILE_FLOATS)

  const c = counting(storage, sizes)
  const found = await safetensorsSerializer().scan!(c.storage)
  expect(found).toHaveLength(20)
  // Sequential reading holds one file; 16 in flight would hold 16 × 4 MiB.
  expect(c.most()).toBeLessThanOrEqual(2 * largest)
})
