/**
 * ckpt's shard plan against huggingface_hub's own splitter: for random tensors and limits, the same shards, the same
 * file names and the same index bytes as `save_torch_state_dict` writes. One Python process runs the whole batch.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { planShards, shardIndexJson } from '../../src/tensors/shard-plan.js'
import { hfOracle, oracleMissing } from './support.js'

const missing = oracleMissing('sharded plan vs huggingface_hub', ['huggingface_hub'])
const seed = process.env['SHARD_SEED'] !== undefined ? Number(process.env['SHARD_SEED']) : Date.now() % 2 ** 31

interface Case {
  readonly tensors: ReadonlyArray<readonly [string, number]>
  readonly max: number
  readonly unsharded: string
}

// Names of any Unicode, quotes, backslashes and controls included (the index escapes them as Python's json does).
const name = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('layers.0.weight', '0', '10', '"', '\\', '\u007f', '\u2028', '😀'),
)
const size = fc.oneof(
  fc.integer({ min: 0, max: 64 }),
  fc.integer({ min: 0, max: 4000 }),
  fc.constantFrom(0, 1000, 1001, 999, 5_000_000_000),
)
const caseArb: fc.Arbitrary<Case> = fc.record({
  tensors: fc.uniqueArray(fc.tuple(name, size), { maxLength: 30, selector: ([n]) => n }),
  max: fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(1000, 64, 1)),
  unsharded: fc.constantFrom('model.safetensors', 'e003.safetensors', 'adapter_model.safetensors', 'ünï "x".safetensors'),
})

describe.skipIf(missing !== undefined)('the shard plan matches huggingface_hub.split_state_dict_into_shards_factory', () => {
  it('gives the same shards, names and index bytes for every generated case', () => {
    const cases = [
      // HF's docstring example: [6, 6, 2, 6, 2, 2] GB at 10 GB gives [6], [6+2], [6+2+2].
      {
        tensors: ['a', 'b', 'c', 'd', 'e', 'f'].map((n, i) => [n, [6, 6, 2, 6, 2, 2][i]! * 1e9] as const),
        max: 10e9,
        unsharded: 'model.safetensors',
      },
      // A tensor over the limit takes a shard of its own at once, ahead of the shard still open.
      {
        tensors: [
          ['small', 10],
          ['huge', 5000],
          ['tail', 10],
        ] as const,
        max: 100,
        unsharded: 'model.safetensors',
      },
      ...fc.sample(caseArb, { numRuns: 400, seed }),
    ]
    const python = hfOracle<Array<{ shards: Record<string, string[]>; index: string | null }>>(['plan'], cases)
    let sharded = 0
    cases.forEach((c, i) => {
      const plan = planShards(c.tensors, c.max, c.unsharded)
      const ours = plan.shards.length === 1 && plan.shards[0]!.names.length === 0 ? [] : plan.shards.map((s) => [s.file, s.names])
      const label = `seed ${seed}, case ${i}: ${JSON.stringify(c)}`
      expect(ours, label).toEqual(Object.entries(python[i]!.shards))
      expect(plan.shards.length > 1 ? shardIndexJson(plan) : null, label).toBe(python[i]!.index)
      if (plan.shards.length > 1) sharded++
    })
    console.log(`sharded plan vs huggingface_hub (seed ${seed}): ${cases.length} cases identical, ${sharded} of them sharded`)
    expect(sharded).toBeGreaterThan(100)
  })
})
