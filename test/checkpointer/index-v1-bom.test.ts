// A version-1 index file that starts with a UTF-8 byte order mark (saved by an editor) opened before version 2: the
// index was decoded by TextDecoder, which drops it. It still opens, lists and takes saves.
import { expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { quiet, tensorsFor } from './support.js'

const options = { filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet } as const

it('a version-1 index with a byte order mark opens, lists and takes the next save', async () => {
  const storage = memoryStorage()
  const writer = await createCheckpointer({ storage, ...options })
  for (let epoch = 0; epoch < 3; epoch++) await writer.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(epoch, 4))
  await writer.close()
  const head = JSON.parse(new TextDecoder().decode(await storage.read(INDEX_KEY))) as Record<string, unknown>
  const { seq: _seq, segments: _segments, dropped: _dropped, ...rest } = head
  const v1 = { ...rest, version: 1 }
  await storage.write(INDEX_KEY, new TextEncoder().encode(`\ufeff${JSON.stringify(v1, null, 1)}\n`))
  const ckpt = await createCheckpointer({ storage, ...options })
  expect((await ckpt.list()).map((e) => e.path)).toEqual(['e1.safetensors', 'e2.safetensors', 'e3.safetensors'])
  await ckpt.onEpochEnd({ epoch: 3, logs: { loss: 1 } }, tensorsFor(3, 4))
  await ckpt.close()
  const again = await createCheckpointer({ storage, ...options })
  expect((await again.list()).map((e) => e.path)).toHaveLength(4)
  await again.close()
})
