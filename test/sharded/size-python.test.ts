/**
 * `maxShardSize` strings against huggingface_hub's `parse_size_to_int` (used by split_torch_state_dict_into_shards,
 * save_torch_state_dict and transformers' save_pretrained): the same bytes, or a refusal on both sides. ckpt also
 * refuses what Python turns into 0 or a negative size (documented). One Python process runs the whole batch.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { parseShardSize } from '../../src/tensors/shard-size.js'
import { hfOracle, oracleMissing } from './support.js'

const missing = oracleMissing('maxShardSize vs huggingface_hub', ['huggingface_hub'])
const seed = process.env['SHARD_SEED'] !== undefined ? Number(process.env['SHARD_SEED']) : Date.now() % 2 ** 31

const FIXED = [
  '5GB',
  '500MB',
  '1.5KB',
  '10TB',
  ' 5 GB ',
  '5gb',
  '5Gb',
  '5GiB',
  '5MiB',
  '5 B',
  '5',
  'GB',
  '',
  '1e3MB',
  '1E-3GB',
  '.5MB',
  '5.MB',
  '+5MB',
  '-5MB',
  '0MB',
  '0.0000001KB',
  '1_000KB',
  '1__0KB',
  '_1KB',
  '1_KB',
  '1_000.5_5MB',
  '1e1_0KB',
  'infGB',
  'nanMB',
  'InfinityKB',
  '1e400KB',
  '9007199254740993KB',
  '٥GB',
  '５MB',
  '𝟓KB',
  '5\u3000GB',
  '\u30005GB\u3000',
  '\x1c5MB\x1f',
  '\x855MB',
  '\ufeff5MB',
  '5MB\x00',
  '5ǴB',
  'ı5KB',
  '5ſB',
  '5\u200bMB',
  '0x10KB',
  '1,000KB',
  '5 MB MB',
]
const piece = fc.constantFrom(
  '0',
  '1',
  '5',
  '9',
  '.',
  '_',
  'e',
  'E',
  '+',
  '-',
  ' ',
  '\t',
  '\u3000',
  '\u00a0',
  '\x1c',
  '\x85',
  '\ufeff',
  '٣',
  '５',
  '𝟗',
  'inf',
  'nan',
  'x',
  'GB',
  'gb',
  'Gb',
  'MB',
  'KB',
  'kB',
  'TB',
  'GiB',
  'B',
)
const generated = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''))
const likely = fc
  .tuple(
    fc.constantFrom('', ' ', '\u3000'),
    fc.double({ min: 0, max: 1e6, noNaN: true }),
    fc.constantFrom('', ' '),
    fc.constantFrom('GB', 'MB', 'KB', 'TB', 'mb'),
  )
  .map(([a, n, b, u]) => `${a}${String(n)}${b}${u}`)

describe.skipIf(missing !== undefined)('maxShardSize strings match huggingface_hub.parse_size_to_int', () => {
  it('gives the same size, or refuses, for every string', () => {
    const texts = [...FIXED, ...fc.sample(generated, { numRuns: 1500, seed }), ...fc.sample(likely, { numRuns: 500, seed: seed + 1 })]
    const python = hfOracle<Array<{ ok: string } | { error: string }>>(['sizes'], texts)
    let same = 0
    const mismatches: string[] = []
    texts.forEach((text, i) => {
      const py = python[i]!
      const ours = parseShardSize(text)
      const pyPositive = 'ok' in py && BigInt(py.ok) > 0n
      if (E.isRight(ours) ? pyPositive && BigInt(ours.right) === BigInt(py.ok) : !pyPositive) same++
      else mismatches.push(`${JSON.stringify(text)}: python ${JSON.stringify(py)}, ckpt ${JSON.stringify(ours)}`)
    })
    console.log(`maxShardSize vs parse_size_to_int (seed ${seed}): ${same} of ${texts.length} strings agree`)
    expect(mismatches.slice(0, 20).join('\n')).toBe('')
  })
})
