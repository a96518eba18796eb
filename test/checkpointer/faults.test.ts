import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpointer, verifyEntry, type Entry } from '../../src/checkpointer/index.js'
import { fsFaults, type FsOp } from '../../src/testing/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { quiet, tempDir, tensorsFor } from './support.js'

const options = { filepath: 'f/e{epoch}.safetensors', monitor: 'loss', maxToKeep: 2, ...quiet } as const
const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

/** Two committed checkpoints in a fresh folder, written without faults. */
const baseline = async (): Promise<{ dir: string; before: ReadonlyArray<Entry> }> => {
  const { dir, cleanup } = tempDir('ckpt-faults-')
  cleanups.push(cleanup)
  const ckpt = await createCheckpointer({ storage: fsStorage(dir), ...options })
  for (const epoch of [0, 1]) await ckpt.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(epoch))
  return { dir, before: await ckpt.list() }
}

const reopen = async (dir: string) => {
  const storage = fsStorage(dir)
  const ckpt = await createCheckpointer({ storage, ...options })
  const entries = await ckpt.list()
  for (const e of entries) expect(await verifyEntry(storage, e), e.path).toBeNull()
  return { ckpt, entries }
}

const cases: ReadonlyArray<{ op: FsOp; code: string }> = [
  { op: 'write', code: 'ENOSPC' },
  { op: 'sync', code: 'EIO' },
  { op: 'rename', code: 'EIO' },
  { op: 'open', code: 'ENOSPC' },
  { op: 'unlink', code: 'EIO' },
  { op: 'link', code: 'EIO' },
]

describe('Checkpointer under injected file-system faults', () => {
  for (const { op, code } of cases) {
    it(`failing the n-th ${op} with ${code}, for every n a save reaches: typed error, previous checkpoints intact, a later save succeeds`, async () => {
      // Calls of `op` made while opening (the faults count from the wrapper's creation), measured on a twin folder.
      // Opening only reads: the storage's own opening (sweep, link probe) runs in the first save, so among the n.
      const probe = fsFaults([])
      await createCheckpointer({ storage: fsStorage((await baseline()).dir, { wrapFs: probe.wrap }), ...options })
      const atOpen = probe.counts()[op]
      let exercised = 0
      const cap = 40
      for (let nth = 1; nth <= cap; nth++) {
        const { dir, before } = await baseline()
        const faults = fsFaults({ op, nth: atOpen + nth, code })
        const ckpt = await createCheckpointer({ storage: fsStorage(dir, { wrapFs: faults.wrap }), ...options })
        expect(faults.fired).toBe(false)
        const attempt = await ckpt.onEpochEnd({ epoch: 2, logs: { loss: 0.5 } }, tensorsFor(2)).then(
          () => null,
          (e: unknown) => e,
        )
        // Retention's deletions run after the commit, in the background: let them finish.
        await ckpt.flush().catch(() => undefined)
        if (!faults.fired) {
          expect(attempt).toBeNull()
          break
        }
        exercised++
        // The caller gets a typed error naming the storage failure, unless the fault hit the cleanup
        // after the commit: then the save stands, and the leftovers are retried later.
        if (attempt !== null) {
          expect(attempt, `${op} #${nth}`).toMatchObject({ _tag: 'StorageFailed', cause: { _tag: 'IOError' } })
          expect(String((attempt as Error).message)).toContain(code)
        }
        // Every indexed checkpoint verifies, and the previous ones are all still there
        // (unless the fault came after the new one's commit, when retention may have dropped the oldest).
        const { ckpt: after, entries } = await reopen(dir)
        const paths = entries.map((e) => e.path)
        const committed = paths.includes('f/e3.safetensors')
        if (!committed) expect(paths).toEqual(before.map((e) => e.path))
        else expect(paths.slice(0, -1), 'retention kept the newest of the previous ones').toEqual(before.slice(-1).map((e) => e.path))
        // A save that reported success is committed.
        if (attempt === null) expect(committed, `${op} #${nth}`).toBe(true)
        // Once the fault clears, the next save succeeds.
        const next = await after.onEpochEnd({ epoch: 3, logs: { loss: 0.25 } }, tensorsFor(3))
        expect(next.committed).toBe(true)
        const { entries: final } = await reopen(dir)
        expect(final.at(-1)?.path).toBe('f/e4.safetensors')
        expect((await (await reopen(dir)).ckpt.restore()).value).toEqual(tensorsFor(3))
      }
      expect(exercised, `no ${op} fault fired`).toBeGreaterThan(0)
      expect(exercised, `the save makes more than ${cap} calls of ${op}: raise the cap, so that every n is tried`).toBeLessThan(cap)
    })
  }
})
