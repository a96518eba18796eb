// Issue 12, done-when: the index across a crash at every step of a compaction. A folder is brought to the save that
// compacts the index (its journal becomes a segment, which merges with the three before it into one segment, written
// before the index file that names it; the three merged away are deleted after it). That save is then failed at every
// file-system call it makes, once as a crash (every later call fails, nothing is cleaned up) and once as a plain error
// (the writer goes on). After each: the folder opens, lists the checkpoints it had (and the new one only if its commit
// landed), each verifies, and once a later save has landed no segment is left that the index does not name.
import { Volume } from 'memfs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer, loadIndex, verifyEntry } from '../../src/checkpointer/index.js'
import { SEGMENT_PREFIX } from '../../src/checkpointer/index-keys.js'
import { FANOUT, JOURNAL_MAX } from '../../src/checkpointer/index-segment.js'
import type { FsModule } from '../../src/storage/fs/fs-module.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { FS_OPS, fsFaults } from '../../src/testing/index.js'
import { tensorsFor } from './support.js'

const options = { filepath: 'c/e{epoch}.safetensors', monitor: 'loss', log: () => {} } as const

/**
 * The fs adapter over a memfs volume (the code path of fs storage, without the disk). `fresh` is a new process on
 * the same folder: the temporary files a crashed writer left are swept at once.
 */
const storageOn = (volume: Volume, wrapFs?: (fs: FsModule) => FsModule) =>
  memoryStorage({ volume, staleTempAfterMs: 0, ...(wrapFs ? { wrapFs } : {}) })

/** The journal is flushed into a segment every JOURNAL_MAX + 1 saves: FANOUT - 1 segments and a full journal. */
const BEFORE = (FANOUT - 1) * (JOURNAL_MAX + 1) + JOURNAL_MAX
const baseline = new Volume()
let before: ReadonlyArray<string> = []

const save = async (ckpt: Awaited<ReturnType<typeof createCheckpointer>>, epoch: number) =>
  ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch, 4))

beforeAll(async () => {
  const ckpt = await createCheckpointer({ storage: storageOn(baseline), ...options })
  for (let epoch = 0; epoch < BEFORE; epoch++) await save(ckpt, epoch)
  await ckpt.close()
  before = (await ckpt.list()).map((e) => e.path)
  const head = (await loadIndex(storageOn(baseline)))!.state.head
  // The next save compacts: a full journal, and FANOUT - 1 segments of level 0 that its own joins.
  expect(head.checkpoints.length).toBe(JOURNAL_MAX)
  expect(head.segments.map((s) => s.level)).toEqual(Array<number>(FANOUT - 1).fill(0))
}, 120_000)

/** A copy of the baseline folder, file by file. */
const copy = (): Volume => {
  const volume = new Volume()
  for (const file of Object.keys(baseline.toJSON())) {
    volume.mkdirSync(file.slice(0, file.lastIndexOf('/')) || '/', { recursive: true })
    volume.writeFileSync(file, baseline.readFileSync(file))
  }
  return volume
}

/** The folder as a new process opens it: the checkpoints it had, the new one if committed, all verifying. */
const reopened = async (volume: Volume, when: string): Promise<boolean> => {
  const storage = storageOn(volume)
  const ckpt = await createCheckpointer({ storage, ...options })
  const paths = (await ckpt.list()).map((e) => e.path)
  const committed = paths.length === before.length + 1
  expect(paths, when).toEqual(committed ? [...before, `c/e${BEFORE + 1}.safetensors`] : before)
  for (const e of await ckpt.list()) expect(await verifyEntry(storage, e), `${when}: ${e.path}`).toBeNull()
  // A later save lands, and then every segment left is one the index names.
  await save(ckpt, BEFORE + 1)
  await ckpt.close()
  const again = await createCheckpointer({ storage: storageOn(volume), ...options })
  expect((await again.latest())?.path, when).toBe(`c/e${BEFORE + 2}.safetensors`)
  expect((await again.restore()).value, when).toEqual(tensorsFor(BEFORE + 1, 4))
  const named = (await loadIndex(storage))!.state.head.segments.map((s) => s.key)
  // Every file, temporary ones included (which list() hides).
  const stored = Object.keys(volume.toJSON())
    .filter((f) => f.startsWith(`/${SEGMENT_PREFIX}`))
    .map((f) => f.slice(1))
  expect(stored.sort(), `${when}: no segment the index does not name`).toEqual([...named].sort())
  await again.close()
  return committed
}

describe('the index across a crash at every step of a compaction', () => {
  for (const crash of [true, false])
    it(`${crash ? 'a crash' : 'a failure'} at every file-system call of the compacting save leaves an index that opens, complete`, async () => {
      let cases = 0
      let landed = 0
      for (const op of FS_OPS) {
        for (let nth = 1; ; nth++) {
          const volume = copy()
          const faults = fsFaults({ op, nth, crash, code: 'EIO' }, { armed: false })
          const ckpt = await createCheckpointer({ storage: storageOn(volume, faults.wrap), ...options })
          faults.arm()
          const failed = await save(ckpt, BEFORE).then(
            () => false,
            () => true,
          )
          await ckpt.flush().catch(() => undefined)
          if (!faults.fired) break
          cases++
          const when = `${op} #${nth}${crash ? ' (crash)' : ''}`
          // A failure the writer survives: its next save lands on the index as it is now.
          if (!crash) {
            faults.reset()
            await ckpt.flush().catch(() => undefined)
          }
          const committed = await reopened(volume, when)
          if (committed) landed++
          if (!failed) expect(committed, `${when}: a save that returned is committed`).toBe(true)
        }
      }
      console.log(`compaction ${crash ? 'crash' : 'failure'} cases: ${cases}, of which ${landed} after the commit point`)
      expect(cases).toBeGreaterThan(20)
      expect(landed).toBeGreaterThan(0)
    }, 600_000)
})
