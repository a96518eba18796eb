/**
 * Differential test against the real peers, run now from Python (one process for every trace): with keepLatest and
 * keepBest false, ckpt's saveTopK keeps after every save exactly the checkpoints Lightning's ModelCheckpoint(save_top_k)
 * keeps on disk, and maxToKeep exactly what Orbax's and tf.train's CheckpointManager(max_to_keep) keep. Traces are
 * seeded (RETENTION_PEERS_SEED) and full of ties, NaN and infinities. A peer that cannot be imported is skipped with
 * the reason printed.
 */
import { askPython } from '../support/python-oracle.js'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Ranking } from '../../src/policy/index.js'
import { epochs, rec, sequence } from './support/retention-traces.js'

interface LightningTrace {
  readonly mode: Ranking['mode']
  readonly k: number
  readonly values: number[]
}
interface CountTrace {
  readonly n: number
  readonly values: number[]
}
type Peer = 'lightning' | 'orbax' | 'tf'
interface PeerAnswer {
  readonly missing: Record<Peer, string | null>
  readonly versions: Partial<Record<Peer, string>>
  readonly lightning: number[][][]
  readonly orbax: number[][]
  readonly tf: number[][]
}

const seed = process.env['RETENTION_PEERS_SEED'] !== undefined ? Number(process.env['RETENTION_PEERS_SEED']) : Date.now() % 2 ** 31

// Values exact in float32 (Lightning logs metrics as float32 tensors), with many ties, NaN and both infinities.
const value = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 0.25, 0.5, 1) },
  { weight: 2, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
  { weight: 3, arbitrary: fc.integer({ min: -64, max: 64 }).map((i) => i / 8) },
)
const values = (maxLength: number) => fc.array(value, { minLength: 1, maxLength })
const lightningTraces: LightningTrace[] = [
  { mode: 'min', k: 2, values: [0.25, 0.25, 0] }, // the example: Lightning ends with epochs {1, 2}
  ...fc.sample(
    fc.record({ mode: fc.constantFrom<Ranking['mode']>('min', 'max'), k: fc.integer({ min: -1, max: 4 }), values: values(10) }),
    { numRuns: 40, seed },
  ),
]
const countTraces = (offset: number): CountTrace[] =>
  fc.sample(fc.record({ n: fc.integer({ min: 1, max: 4 }), values: values(8) }), { numRuns: 12, seed: seed + offset })
const orbaxTraces = countTraces(1)
const tfTraces = countTraces(2)

/** Python's float() spelling of a value. */
const py = (v: number): string => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v))
const records = (vs: ReadonlyArray<number>) => vs.map((v, i) => rec(i, v))
const exact = { keepLatest: false, keepBest: false } as const

let answer: PeerAnswer | null = null
let unavailable: string | null = null

beforeAll(async () => {
  const request = {
    lightning: lightningTraces.map((t) => ({ mode: t.mode, k: t.k, values: t.values.map(py) })),
    orbax: orbaxTraces.map((t) => ({ n: t.n, saves: t.values.length })),
    tf: tfTraces.map((t) => ({ n: t.n, saves: t.values.length })),
  }
  const script = fileURLToPath(new URL('./support/retention_peers.py', import.meta.url))
  const result = await askPython<PeerAnswer>(script, request, 'the retention oracle')
  if ('answer' in result) answer = result.answer
  else unavailable = result.unavailable
}, 600_000)

/** The peer's answer, or a printed skip when it cannot run here. */
const peer = (name: Peer, skip: () => void): PeerAnswer | null => {
  const why = unavailable ?? answer?.missing[name] ?? null
  if (why === null) return answer
  console.warn(`[retention peers] ${name} comparison skipped: ${why}`)
  skip()
  return null
}

describe(`retention with keepLatest and keepBest false matches the real peers (seed ${seed})`, () => {
  it("saveTopK: Lightning's ModelCheckpoint(save_top_k), after every epoch", (ctx) => {
    const a = peer('lightning', () => ctx.skip())
    if (a === null) return
    const disagreements: string[] = []
    lightningTraces.forEach((t, i) => {
      const ours = sequence({ saveTopK: t.k, ...exact }, { monitor: 'val_loss', mode: t.mode }, records(t.values)).map((s) =>
        epochs(s.kept),
      )
      if (JSON.stringify(ours) !== JSON.stringify(a.lightning[i]))
        disagreements.push(
          `${t.mode} k=${t.k} [${t.values.map(py).join(', ')}]: Lightning ${JSON.stringify(a.lightning[i])}, ckpt ${JSON.stringify(ours)}`,
        )
    })
    const n = lightningTraces.length
    console.log(
      `[retention peers] Lightning ${a.versions.lightning}: ${n - disagreements.length}/${n} traces kept the same set after every epoch`,
    )
    expect(disagreements).toEqual([])
    expect(a.lightning[0]).toEqual([[0], [0, 1], [1, 2]])
  })

  for (const [name, label, traces] of [
    ['orbax', 'Orbax CheckpointManager(max_to_keep)', orbaxTraces],
    ['tf', 'tf.train.CheckpointManager(max_to_keep)', tfTraces],
  ] as const)
    it(`maxToKeep: ${label}`, (ctx) => {
      const a = peer(name, () => ctx.skip())
      if (a === null) return
      const ours = traces.map((t) =>
        epochs(sequence({ maxToKeep: t.n, ...exact }, { monitor: 'val_loss', mode: 'min' }, records(t.values)).at(-1)!.kept),
      )
      const same = ours.filter((kept, i) => JSON.stringify(kept) === JSON.stringify(a[name][i])).length
      console.log(`[retention peers] ${label} ${a.versions[name]}: ${same}/${traces.length} traces kept the same set`)
      expect(ours).toEqual(a[name])
    })
})
