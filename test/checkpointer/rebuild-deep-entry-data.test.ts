import { expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { META_KEY } from '../../src/checkpointer/safetensors-serializer.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { encodeSafetensorsOrThrow } from '../../src/tensors/index.js'
import { quiet, tensorsFor } from './support.js'

const options = { filepath: 'r/e{epoch}.safetensors', saveBestOnly: false, ...quiet } as const

/** A planted checkpoint file whose entry data nests 80 levels deep (over the 64 the index allows). */
const plantedDeep = (): Uint8Array => {
  let deep: unknown = 1
  for (let i = 0; i < 80; i++) deep = [deep]
  const meta = { epoch: 0, step: 0, batch: null, metrics: { loss: 1 }, score: 1, time: 1000, policyState: deep }
  const chunks = encodeSafetensorsOrThrow(tensorsFor(0), { [META_KEY]: JSON.stringify(meta) })
  return Buffer.concat([...chunks])
}

it('a lost-index rebuild never writes an index that ckpt then refuses as corrupt (entry data nested too deep is not adopted)', async () => {
  const storage = memoryStorage()
  const first = await createCheckpointer({ storage, ...options })
  await first.onEpochEnd({ epoch: 1, logs: { loss: 0.5 }, time: 1001 }, tensorsFor(1))
  const saved = (await first.list()).map((e) => e.path)
  await storage.write('r/planted.safetensors', plantedDeep())
  await storage.remove(INDEX_KEY)

  // The chief rebuilds and writes the index; the next opening must be able to read what it wrote.
  await createCheckpointer({ storage, ...options })
  const again = await createCheckpointer({ storage, ...options })
  expect((await again.list()).map((e) => e.path)).toEqual(saved)
})
