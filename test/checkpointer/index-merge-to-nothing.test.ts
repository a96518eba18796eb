// A compaction whose merge leaves nothing live: every checkpoint of every segment was dropped (retention, or an
// overwrite moving the last one to `replacing`), so the four level-0 segments at the base merge into no segment at
// all. The index writer must write an index with no segment, not throw a TypeError; the save that leads there on a
// Checkpointer fails, if at all, with a CkptError, and the folder opens.
import { expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import type { Entry } from '../../src/checkpointer/index-file.js'
import { emptyIndex } from '../../src/checkpointer/index-file.js'
import { SEGMENT_PREFIX } from '../../src/checkpointer/index-keys.js'
import { FANOUT, JOURNAL_MAX } from '../../src/checkpointer/index-segment.js'
import { indexWriter, loadIndex } from '../../src/checkpointer/index-store.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { quiet, tensorsFor } from './support.js'

const entry = (path: string, time: number): Entry => ({
  path,
  format: 'safetensors',
  epoch: time,
  step: time,
  batch: null,
  metrics: { loss: 1 },
  score: 1,
  time,
  files: [{ key: path, size: 1, sha256: `sha256:${'0'.repeat(64)}` }],
  policyState: null,
})

it('a compaction that drops every checkpoint of every segment writes an index with no segment', async () => {
  const storage = memoryStorage()
  const writer = indexWriter(storage, null)
  const empty = () => emptyIndex(null)
  let time = 0
  // Two rounds of JOURNAL_MAX + 1 adds, then as many drops: each add run and each drop run flushes the journal into
  // a segment of level 0, and the fourth (FANOUT) merges with the three before it, all of them dead.
  for (let round = 0; round < FANOUT / 2; round++) {
    const paths = Array.from({ length: JOURNAL_MAX + 1 }, (_, i) => `r${round}/e${i}.safetensors`)
    for (const p of paths) await writer.update(() => ({ add: [entry(p, ++time)] }), empty)
    for (const p of paths) await writer.update(() => ({ drop: [p] }), empty)
  }
  const loaded = await loadIndex(storage)
  expect(loaded!.doc.checkpoints).toEqual([])
  expect(loaded!.state.head.segments).toEqual([])
  expect(await storage.list(SEGMENT_PREFIX)).toEqual([])
  // The folder goes on: a Checkpointer opens it and saves.
  const ckpt = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
  await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0, 4))
  expect((await ckpt.list()).map((e) => e.path)).toEqual(['e1.safetensors'])
  await ckpt.close()
})
