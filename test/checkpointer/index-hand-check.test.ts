// An index opens through a check by hand (checkIndex, checkSegment): io-ts, which a browser page would otherwise load
// up front, runs only where that check fails, to decide and word the error. So the hand check must accept exactly what
// the io-ts schema accepts, as the same value: here, for index files and segments mutated every way, against io-ts's
// own codecs (the shells of versions 1 and 2, and the entry codec).
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkIndex, ENTRY_LISTS, indexHead, isUnchecked, segmentNamedTwice } from '../../src/checkpointer/index-file.js'
import { decodeIndex, decodeSegment, EntryCodec, V1ShellCodec, V2ShellCodec } from '../../src/checkpointer/index-schema.js'
import { checkSegment, SEGMENT_FORMAT } from '../../src/checkpointer/index-segment.js'
import { MAX_SEQ } from '../../src/checkpointer/index-keys.js'

const sha = (c: string) => `sha256:${c.repeat(64)}`
const entry = (i: number) => ({
  path: `run/e${i}.safetensors`,
  format: 'safetensors',
  epoch: i,
  step: i * 10,
  batch: i % 2 === 0 ? null : i,
  metrics: { loss: 1 / (i + 1), val_loss: 'NaN' },
  score: i === 2 ? '-Infinity' : 0.5,
  time: 1_700_000_000_000 + i,
  files: [
    { key: `run/e${i}.safetensors`, size: 10, sha256: sha('a') },
    { key: `run/e${i}-big.safetensors`, size: 5 << 20, blocks: { size: 1 << 20, sha256: sha('b') } },
  ],
  policyState: { version: 1, best: 0.5 },
})
const v3 = {
  format: 'ckpt-index',
  version: 3,
  seq: 7,
  segments: [
    { key: 'ckpt-index.d/3-0000abcd.json', size: 100, sha256: sha('c'), level: 0 },
    { key: 'ckpt-index.d/5-1234abcd.json', size: 120, sha256: sha('d'), level: 1 },
  ],
  dropped: ['run/e0.safetensors'],
  checkpoints: [entry(1), entry(2)],
  replacing: [entry(3)],
  removing: [],
  policyState: { version: 1 },
  ranking: { monitor: 'val_loss', mode: 'min' },
}
const v1 = { format: 'ckpt-index', version: 1, checkpoints: [entry(1)], replacing: [], removing: [entry(4)], policyState: null }

/** Values a field may be given instead of its own: near misses of every rule in the schema. */
const ODD: ReadonlyArray<unknown> = [
  ...[null, true, 0, -1, 1.5, 2, 3, 4, MAX_SEQ, MAX_SEQ + 1, 2 ** 53, 4096, 4095, 64 << 20, (64 << 20) + 1],
  ...['', 'x', 'min', 'max', 'auto', 'NaN', 'Infinity', 'ckpt-index', 'ckpt-index.json', 'ckpt-writer.lock', '../x', '/abs'],
  ...['ckpt-index.d/3-0000abcd.json', 'ckpt-index.d/0-0000abcd.json', 'ckpt-index.d/3-0000ABCD.json', sha('a'), sha('A'), 'sha256:ab'],
  ...[[], [1], ['a'], {}, { size: 4096, sha256: sha('e') }, { monitor: 'loss', mode: 'max' }, { monitor: 1, mode: 'min' }],
]

/** `value` with fields replaced by odd values, removed, or added, at a rate picked by the seed (deterministic). */
const mutate = (value: unknown, seed: number, rate: number): unknown => {
  let s = seed >>> 0
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s / 2 ** 32)
  const go = (v: unknown, depth: number): unknown => {
    if (next() < rate) return ODD[Math.floor(next() * ODD.length)]
    if (depth > 5 || v === null || typeof v !== 'object') return v
    if (Array.isArray(v)) return v.map((x) => go(x, depth + 1))
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (next() >= rate / 2) out[k] = go(x, depth + 1)
    if (next() < rate / 2) out[next() < 0.5 ? 'ranking' : 'extra'] = ODD[Math.floor(next() * ODD.length)]
    return out
  }
  return go(value, 0)
}

const bytesOf = (json: unknown) => new TextEncoder().encode(JSON.stringify(json))

/** The index io-ts decodes: its shell by version, every entry by the entry codec; null where io-ts refuses it. */
const byIoTs = (json: unknown): unknown => {
  const v1Shell = typeof json === 'object' && json !== null && (json as { version?: unknown }).version === 1
  const shell = v1Shell ? V1ShellCodec.decode(json) : V2ShellCodec.decode(json)
  if (E.isLeft(shell) || segmentNamedTwice(shell.right, 'ckpt-index.json') !== null) return null
  const lists = { checkpoints: [], replacing: [], removing: [] } as Record<(typeof ENTRY_LISTS)[number], never[]>
  for (const field of ENTRY_LISTS) {
    const decoded = shell.right[field].map((e) => EntryCodec.decode(e))
    if (!decoded.every(E.isRight)) return null
    lists[field] = decoded.map((d) => (d as E.Right<never>).right)
  }
  return indexHead(shell.right, lists)
}

/** Every path to a value in `v` (object keys and array positions), the root first. */
const paths = (v: unknown, at: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> =>
  typeof v !== 'object' || v === null
    ? [at]
    : [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, Array.isArray(v) ? Number(k) : k]))]

/** `v` with the value at `path` replaced (`undefined`: removed). */
const replaced = (v: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown => {
  if (path.length === 0) return value
  const [head, ...rest] = path as [string | number, ...Array<string | number>]
  if (Array.isArray(v)) {
    const copy = [...(v as unknown[])]
    if (rest.length === 0 && value === undefined) copy.splice(head as number, 1)
    else copy[head as number] = replaced(copy[head as number], rest, value)
    return copy
  }
  const copy: Record<string, unknown> = { ...(v as object) }
  if (rest.length === 0 && value === undefined) delete copy[head]
  else copy[head] = replaced(copy[head], rest, value)
  return copy
}

/** The hand check's answer agrees with io-ts's for `json`. */
const agrees = (value: unknown): boolean => {
  const json: unknown = JSON.parse(JSON.stringify(value) ?? 'null') // what the file holds
  const checked = checkIndex(bytesOf(json))
  const expected = byIoTs(json)
  if (expected === null) {
    expect(isUnchecked(checked) || E.isLeft(checked), JSON.stringify(json)).toBe(true)
    // Where the hand check cannot decide, io-ts refuses too, with its message.
    expect(E.isLeft(decodeIndex(bytesOf(json)))).toBe(true)
    return false
  }
  expect(checked, JSON.stringify(json)).toEqual(E.right(expected))
  return true
}

describe('the hand check of the index accepts exactly what its io-ts schema accepts, as the same value', () => {
  it('index files of versions 1 and 3 with one value changed or removed, every way', () => {
    for (const doc of [v1, v3]) for (const path of paths(doc)) for (const value of [undefined, ...ODD]) agrees(replaced(doc, path, value))
  })

  it('index files of versions 1 and 3 with many values changed, removed or added', () => {
    let accepted = 0
    fc.assert(
      fc.property(fc.boolean(), fc.integer(), fc.constantFrom(0, 0.005, 0.02, 0.05, 0.1), (one, seed, rate) => {
        if (agrees(mutate(one ? v1 : v3, seed, rate))) accepted++
      }),
      { numRuns: 3000 },
    )
    expect(accepted).toBeGreaterThan(300) // the mutations leave enough valid indexes for the property to mean something
  })

  it('segments, mutated', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(0, 0.01, 0.03, 0.08), (seed, rate) => {
        const body = mutate({ format: SEGMENT_FORMAT, version: 2, drops: ['a'], checkpoints: [entry(1), entry(2)] }, seed, rate)
        const bytes = bytesOf(body)
        const ref = {
          key: 'ckpt-index.d/1-0000abcd.json',
          size: bytes.length,
          sha256: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
          level: 0,
        }
        const checked = checkSegment(ref, bytes)
        const list = (body as { checkpoints?: unknown } | null)?.checkpoints
        if (isUnchecked(checked)) {
          expect(Array.isArray(list) && !(list as unknown[]).every((e) => EntryCodec.is(e))).toBe(true)
          expect(E.isLeft(decodeSegment(ref, bytes))).toBe(true)
        } else if (E.isRight(checked))
          expect(checked.right.adds).toEqual((list as unknown[]).map((e) => (EntryCodec.decode(e) as E.Right<unknown>).right))
      }),
      { numRuns: 2000 },
    )
  })
})
