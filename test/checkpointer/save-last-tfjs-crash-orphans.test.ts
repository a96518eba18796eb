import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { StorageFailure, ioError } from '../../src/storage/errors.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { Storage } from '../../src/storage/storage.js'
import { CRASH_MODES } from './crash-modes.js'
import { tempDir } from './support.js'

/** `inner`, as a process that dies when it is about to write `key`: that write and every later write or removal never land. */
const dyingBefore = (inner: Storage, key: string) => {
  let died = false
  const mutation =
    <A extends [string, ...unknown[]], R>(call: (...a: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (args[0] === key) died = true
      return died ? Promise.reject(new StorageFailure(ioError(args[0], 'the process died', null))) : call(...args)
    }
  return { ...inner, write: mutation(inner.write.bind(inner)), remove: mutation(inner.remove.bind(inner)) }
}

describe('saveLast, tfjs-layers: a crash between the weight file of last and its model.json', () => {
  it('leaves a weight file no checkpoint names; the next rewrite of last at the same path removes it (format.md: "a later save at the same path replaces them")', async () => {
    const mode = CRASH_MODES['tfjs-layers']
    const serializer = (await mode.serializer())!
    const { dir, cleanup } = tempDir('ckpt-save-last-orphans-')
    try {
      const inner = fsStorage(dir, { fsync: false })
      const options = { filepath: 'ckpt/e{epoch:04d}/model.json', monitor: 'loss', saveBestOnly: true, saveLast: true, writerLock: false }
      const open = (storage: Storage) =>
        createCheckpointer<unknown, unknown>({ storage, serializer, immutableSnapshots: true, ...options, log: () => {} })
      const save = (c: Awaited<ReturnType<typeof open>>, epoch: number, loss: number) =>
        c.onEpochEnd({ epoch, logs: { loss }, time: 1000 + epoch }, () => mode.snapshot(epoch))

      const first = await open(inner)
      await save(first, 0, 0.5)
      await first.close()
      // The next process dies at epoch 2 (no improvement: last alone) as it is about to commit last's model.json.
      const dying = await open(dyingBefore(inner, 'ckpt/last/model.json'))
      await expect(save(dying, 1, 0.9)).rejects.toThrow()
      // The one after it rewrites last (epoch 3) and completes.
      const next = await open(inner)
      await save(next, 2, 0.8)
      const named = new Set((await next.list()).flatMap((e) => e.files.map((f) => f.key)))
      await next.close()
      const files = (await inner.list('ckpt/')).filter((k) => !k.startsWith('ckpt-'))
      expect(
        files.filter((k) => !named.has(k)),
        'files in ckpt/ that no checkpoint names',
      ).toEqual([])
    } finally {
      cleanup()
    }
  }, 120_000)
})
