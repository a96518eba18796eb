// A filepath that renders to one of ckpt's own files (the index, a key under its segments' folder, the writer lock)
// is refused before anything is written, as a ConfigError naming it. Before, the save wrote there and returned, and
// the index that committed it named a file the index schema refuses: every later opening of the folder failed with
// CorruptIndex (or the index itself was overwritten by the checkpoint), losing every checkpoint the folder had.
import { expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { quiet, tensorsFor } from './support.js'

for (const filepath of ['ckpt-index.d/e{epoch}.safetensors', 'ckpt-index.json', 'ckpt-writer.lock'])
  it(`filepath ${filepath}: the save is refused as a ConfigError, nothing is written, the folder keeps opening`, async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: 'kept/e{epoch}.safetensors', monitor: 'loss', ...quiet })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0, 4))
    await ckpt.close()
    const before = [...(await storage.list())].sort()
    const bad = await createCheckpointer({ storage, filepath, monitor: 'loss', writerLock: false, ...quiet })
    await expect(bad.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1, 4))).rejects.toMatchObject({
      _tag: 'ConfigError',
      option: 'filepath',
    })
    await bad.close()
    expect([...(await storage.list())].sort()).toEqual(before)
    const again = await createCheckpointer({ storage, filepath: 'kept/e{epoch}.safetensors', monitor: 'loss', ...quiet })
    expect((await again.list()).map((e) => e.path)).toEqual(['kept/e1.safetensors'])
    expect((await again.restore()).value).toEqual(tensorsFor(0, 4))
    await again.close()
  })
