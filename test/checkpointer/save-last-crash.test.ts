import { describe, expect, it } from 'vitest'
import { createCheckpointer, verifyEntry } from '../../src/checkpointer/index.js'
import { StorageFailure, ioError } from '../../src/storage/errors.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { Storage } from '../../src/storage/storage.js'
import { CRASH_MODES } from './crash-modes.js'
import { tempDir } from './support.js'

/**
 * `inner`, as a process that dies just before its `at`-th write or removal (counted from `arm`): that call and every
 * later one never reach the storage. Reads still answer, as they would until the process is gone.
 */
const dyingAt = (inner: Storage) => {
  let left = Infinity
  let died = false
  const mutation =
    <A extends unknown[], R>(call: (...a: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (left-- <= 0) died = true
      return died ? Promise.reject(new StorageFailure(ioError(String(args[0]), 'the process died', null))) : call(...args)
    }
  const storage: Storage = { ...inner, write: mutation(inner.write.bind(inner)), remove: mutation(inner.remove.bind(inner)) }
  return {
    storage,
    arm: (at: number) => (left = at),
    get died() {
      return died
    },
  }
}

/** monitor `loss` (min): epochs 1, 2 and 5 improve (0-based 0, 1, 4); epoch 6 improves (`improving`) or not. */
const losses = (improving: boolean) => [0.5, 0.4, 0.6, 0.7, 0.3, improving ? 0.2 : 0.9]

const SETUPS = [
  { kind: 'safetensors', filepath: 'ckpt/e{epoch:04d}.safetensors', last: 'ckpt/last.safetensors' },
  { kind: 'tfjs-layers', filepath: 'ckpt/e{epoch:04d}/model.json', last: 'ckpt/last/model.json' },
] as const

describe('saveLast: a crash while last is rewritten in place leaves the previous last, or the new one, and every regular checkpoint', () => {
  it.each(SETUPS.flatMap((s) => [true, false].map((improving) => [s.kind, improving, s] as const)))(
    '%s (epoch 6 improves: %s): a death before each write or removal of the save, then a reopen',
    async (_kind, improving, setup) => {
      const mode = CRASH_MODES[setup.kind]
      const serializer = await mode.serializer()
      const options = {
        filepath: setup.filepath,
        monitor: 'loss',
        saveBestOnly: true,
        maxToKeep: 2,
        saveLast: true,
        writerLock: false,
        ...(serializer !== undefined ? { serializer, immutableSnapshots: true } : {}),
        log: () => {},
      }
      const open = (storage: Storage) => createCheckpointer<unknown, unknown>({ storage, ...options })
      const save = (ckpt: Awaited<ReturnType<typeof open>>, epoch: number) =>
        ckpt.onEpochEnd({ epoch, logs: { loss: losses(improving)[epoch]! }, time: 1000 + epoch }, () => mode.snapshot(epoch))
      const regular = async (ckpt: Awaited<ReturnType<typeof open>>) =>
        (await ckpt.list()).filter((e) => e.last !== true).map((e) => e.path)

      let outcomes = 0
      for (let at = 0; ; at++) {
        const { dir, cleanup } = tempDir('ckpt-save-last-crash-')
        try {
          const inner = fsStorage(dir, { fsync: false })
          const dying = dyingAt(inner)
          const writer = await open(dying.storage)
          for (let epoch = 0; epoch < 5; epoch++) await save(writer, epoch)
          const before = await regular(writer)
          dying.arm(at)
          const result = await save(writer, 5).then(
            () => 'saved',
            () => 'died',
          )
          await writer.flush().catch(() => undefined)
          const after = await regular(writer)
          if (result === 'saved' && !dying.died) {
            // Past the last write: the save completed. Every death point before it was checked.
            expect(at, 'the save made at least the last file, the index writes').toBeGreaterThanOrEqual(3)
            break
          }
          outcomes++

          // The next process.
          const reopened = await open(inner)
          const entries = await reopened.list()
          for (const e of entries) expect(await verifyEntry(inner, e), `death at ${at}: ${e.path}`).toBeNull()
          const lasts = entries.filter((e) => e.last === true)
          expect(
            lasts.map((e) => e.path),
            `death at ${at}`,
          ).toEqual([setup.last])
          expect([4, 5], `death at ${at}`).toContain(lasts[0]!.epoch)
          // The regular checkpoints: as before the save, or as after it (when its commit landed).
          expect([before, after], `death at ${at}`).toContainEqual(await regular(reopened))
          const restored = await reopened.restore('latest')
          expect(restored.skipped, `death at ${at}`).toEqual([])
          expect(restored.entry.epoch, `death at ${at}`).toBeGreaterThanOrEqual(4)
          expect(await mode.firstValue(restored.value), `death at ${at}`).toBe(restored.entry.epoch)
          await reopened.close()
        } finally {
          cleanup()
        }
      }
      console.log(`${_kind} improving=${improving}: ${outcomes} deaths`)
      // A death before each of the save's writes and removals was tried.
      expect(outcomes).toBeGreaterThanOrEqual(improving ? 5 : 3)
    },
    120_000,
  )
})
