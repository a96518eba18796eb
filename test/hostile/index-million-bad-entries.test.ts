// An index (or a segment) whose entries, dropped paths or segment references are two million bad values: a
// CorruptIndex that names the first bad one, found in the time the list takes to parse. The message was io-ts's over
// the whole list, which builds an error for every bad item: a million nulls (a 5 MB file) took 7 s and 210 MB on a
// 2-core machine, two million twice that.
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { decodeIndex } from '../../src/checkpointer/index-schema.js'

it('an index of two million null entries is refused quickly, naming the first', () => {
  const nulls = `[${Array<string>(2_000_000).fill('null').join(',')}]`
  const text = `{"format":"ckpt-index","version":2,"seq":1,"segments":[],"dropped":[],"checkpoints":${nulls},"replacing":[],"removing":[],"policyState":null}`
  const bytes = new TextEncoder().encode(text)
  const started = performance.now()
  const r = decodeIndex(bytes)
  const ms = performance.now() - started
  expect(E.isLeft(r) && r.left.message).toMatch(/does not match the index schema \(checkpoints\.0: got null, expected/)
  // Parsing 10 MB of JSON takes well under a second here; the whole-list decode took about 14 s.
  expect(ms).toBeLessThan(5_000)
})

for (const field of ['dropped', 'segments'])
  it(`an index whose ${field} are two million numbers is refused quickly, naming the first`, () => {
    const lists: Record<string, string> = { segments: '[]', dropped: '[]' }
    lists[field] = `[${Array<string>(2_000_000).fill('1').join(',')}]`
    const text = `{"format":"ckpt-index","version":2,"seq":1,"segments":${lists.segments},"dropped":${lists.dropped},"checkpoints":[],"replacing":[],"removing":[],"policyState":null}`
    const started = performance.now()
    const r = decodeIndex(new TextEncoder().encode(text))
    const ms = performance.now() - started
    const message = E.isLeft(r) ? r.left.message : ''
    expect(message).toMatch(new RegExp(`${field}\\.0: got 1, expected`))
    expect(message).not.toMatch(new RegExp(`${field}\\.1:`))
    // A million took 5 to 6 s before (io-ts collected an error per item).
    expect(ms).toBeLessThan(5_000)
  })

it('a bad entry after good ones is named by its position, with its own problems', () => {
  const good = {
    path: 'a',
    format: 'safetensors',
    epoch: 0,
    step: 0,
    batch: null,
    metrics: {},
    score: null,
    time: 1,
    files: [],
    policyState: null,
  }
  const text = JSON.stringify({
    format: 'ckpt-index',
    version: 2,
    seq: 1,
    segments: [],
    dropped: [],
    checkpoints: [good, good, { ...good, epoch: -1, files: [{ key: '../x', size: 1, sha256: 'nope' }] }, null],
    replacing: [],
    removing: [],
    policyState: null,
  })
  const r = decodeIndex(new TextEncoder().encode(text))
  const message = E.isLeft(r) ? r.left.message : ''
  expect(message).toMatch(/checkpoints\.2\.epoch: got -1/)
  expect(message).toMatch(/checkpoints\.2\.files\.0\.key: got "\.\.\/x"/)
  expect(message).not.toMatch(/checkpoints\.3/)
})
