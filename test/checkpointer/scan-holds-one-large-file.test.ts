import { expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { safetensorsSerializer } from '../../src/checkpointer/safetensors-serializer.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { countingReads, quiet, tensorsFor } from './support.js'

const FILE_FLOATS = 1 << 20 // 4 MiB of float32 a checkpoint

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

  const c = countingReads(storage, sizes)
  const found = await safetensorsSerializer().scan!(c.storage)
  expect(found).toHaveLength(20)
  // Sequential reading holds one file; 16 in flight would hold 16 × 4 MiB.
  expect(c.most()).toBeLessThanOrEqual(2 * largest)
})
