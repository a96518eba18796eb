// The index's journal and segments, as a model-based property test: under random adds, drops, overwrites and
// re-sorts, the index a writer holds, and the one a fresh reader loads from the index file and its segments, list
// exactly what a plain array would, in the same order; the index file never holds more than JOURNAL_MAX entries and
// dropped paths; segments stay few (logarithmic in the count); no segment is left that the index does not name.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Entry } from '../../src/checkpointer/index-file.js'
import { SEGMENT_PREFIX } from '../../src/checkpointer/index-keys.js'
import { FANOUT, JOURNAL_MAX } from '../../src/checkpointer/index-segment.js'
import { emptyIndex } from '../../src/checkpointer/index-file.js'
import { indexWriter, loadIndex } from '../../src/checkpointer/index-store.js'
import type { IndexChange } from '../../src/checkpointer/index-state.js'
import { memoryStorage } from '../../src/storage/memory.js'

const entry = (path: string, time: number): Entry => ({
  path,
  format: 'safetensors',
  epoch: time,
  step: 0,
  batch: null,
  metrics: { loss: time % 7 === 0 ? NaN : 1 / time },
  score: time % 7 === 0 ? NaN : 1 / time,
  time,
  files: [{ key: path, size: time, sha256: `sha256:${time.toString(16).padStart(64, '0')}` }],
  policyState: { step: time },
})

type Op =
  | { readonly kind: 'add'; readonly path: number; readonly also: number | null }
  | { readonly kind: 'drop'; readonly pick: number; readonly count: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'state' }

const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    // Mostly new paths (a run saving epoch after epoch), some reused (overwrites), sometimes two in one change; drops
    // anywhere (retention), so that segments carry drops of older segments' entries; a re-sort now and then.
    {
      weight: 60,
      arbitrary: fc.record({ kind: fc.constant('add' as const), path: fc.nat({ max: 1000 }), also: fc.option(fc.nat(), { freq: 8 }) }),
    },
    { weight: 20, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 3 }) }) },
    // A mass drop (retention catching up): more than a journal's worth in one change, so its segment starts above level 0.
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.constant(0), count: fc.integer({ min: 33, max: 80 }) }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
    { weight: 4, arbitrary: fc.constant({ kind: 'state' as const }) },
  ),
  { minLength: 150, maxLength: 700, size: 'max' },
)

const pathsOf = (entries: ReadonlyArray<Entry>) => entries.map((e) => `${e.path}@${e.time}`)

describe('the index journal and its segments', () => {
  it('list what an array would, in order, reloaded or not; the index file stays small; no segment is left unnamed', async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (plan) => {
        const storage = memoryStorage()
        const writer = indexWriter(storage, null)
        let model: Entry[] = []
        let time = 0
        let policyState: unknown = null
        const empty = () => emptyIndex(null)
        const check = async (deep: boolean) => {
          const view = writer.current()!
          expect(pathsOf(view.doc.checkpoints)).toEqual(pathsOf(model))
          expect(view.latest()?.path).toBe(model.at(-1)?.path)
          expect(view.head.checkpoints.length + view.head.dropped.length).toBeLessThanOrEqual(JOURNAL_MAX)
          // Merges keep segments logarithmic: fewer than FANOUT per level.
          const levels = new Set(view.head.segments.map((s) => s.level)).size
          expect(view.head.segments.length).toBeLessThanOrEqual(levels * (FANOUT - 1) + 1)
          // Levels never rise along the list: a run of one level at the end is all of that level, so it merges.
          const order = view.head.segments.map((s) => s.level)
          expect(order).toEqual([...order].sort((a, b) => b - a))
          if (!deep) return
          const loaded = await loadIndex(storage)
          expect(pathsOf(loaded!.doc.checkpoints)).toEqual(pathsOf(model))
          expect(loaded!.doc.checkpoints).toEqual(model)
          expect(loaded!.doc.policyState).toEqual(policyState)
          expect([...(await storage.list(SEGMENT_PREFIX))].sort()).toEqual(view.head.segments.map((s) => s.key).sort())
        }
        for (const [i, op] of plan.entries()) {
          let change: IndexChange
          if (op.kind === 'add') {
            const added = [entry(`p${op.path}`, ++time)]
            if (op.also !== null) added.push(entry(`q${op.also % 50}`, ++time))
            change = { add: added }
            for (const e of added) model = [...model.filter((m) => m.path !== e.path), e]
          } else if (op.kind === 'drop') {
            const gone = model.slice(op.pick % Math.max(1, model.length)).slice(0, op.count)
            change = { drop: gone.map((e) => e.path) }
            model = model.filter((m) => !gone.includes(m))
          } else if (op.kind === 'reset') {
            // Recovery's re-sort: the same entries in another order, plus one older entry put back.
            const back = entry(`back${i}`, 0)
            const sorted = [back, ...[...model].reverse()]
            change = { reset: sorted }
            model = sorted
          } else {
            policyState = { at: i }
            change = { policyState }
          }
          await writer.update(() => change, empty)
          await check(i % 97 === 0 || i === plan.length - 1)
        }
      }),
      // Shrinking runs of hundreds of operations can take long: a failure is reported after a minute at most.
      { numRuns: Number(process.env.CKPT_INDEX_MODEL_RUNS ?? 12), interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true },
    )
  }, 120_000)
})
