// Issue 12, goal 4: the index cost of save number 100,000 is at most 2x that of save number 10. Measured in what a
// save costs any storage, deterministically: the index's storage calls and the bytes written to it, counted
// through a wrapper. Save 100,000's share is the mean over all 100,000 saves, so every compaction is paid for.
import { describe, expect, it } from 'vitest'
import { emptyIndex, type Entry } from '../../src/checkpointer/index-file.js'
import { indexWriter } from '../../src/checkpointer/index-store.js'
import { countingStorage } from './counting-storage.js'

/** An entry as the Checkpointer writes it for save `i` (the metrics and policy state of a real run). */
const entry = (i: number): Entry => ({
  path: `run/e${i}.safetensors`,
  format: 'safetensors',
  epoch: i,
  step: i * 100,
  batch: null,
  metrics: { loss: 1 / i, val_loss: 2 / i },
  score: 2 / i,
  time: 1_780_000_000_000 + i * 1000,
  files: [{ key: `run/e${i}.safetensors`, size: 4096, sha256: `sha256:${i.toString(16).padStart(64, '0')}` }],
  policyState: { version: 1, best: 2 / i, batchesSinceSave: 0, lastBatchSeen: null, step: i * 100, trigger: null },
})

/** Saves 1..n, as the Checkpointer commits them without retention; the index cost of each save. */
const run = async (n: number): Promise<{ readonly calls: number[]; readonly bytes: number[] }> => {
  const { storage, cost } = countingStorage()
  const writer = indexWriter(storage, null)
  const calls: number[] = []
  const bytes: number[] = []
  for (let i = 1; i <= n; i++) {
    const before = { ...cost }
    const e = entry(i)
    await writer.update(
      () => ({ add: [e], policyState: e.policyState }),
      () => emptyIndex(null),
    )
    calls.push(cost.calls - before.calls)
    bytes.push(cost.bytes - before.bytes)
  }
  return { calls, bytes }
}

const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)

describe('the index cost of a save is flat in the checkpoint count', () => {
  it('save number 100,000 costs at most 2x save number 10, in storage calls and in bytes, every compaction included', async () => {
    const small = await run(10)
    const large = await run(100_000)
    const at10 = { calls: small.calls[9]!, bytes: small.bytes[9]! }
    const at100k = { calls: sum(large.calls) / large.calls.length, bytes: sum(large.bytes) / large.bytes.length }
    console.log(
      `index cost per save: save 10: ${at10.calls} call(s), ${at10.bytes} bytes; ` +
        `save 100,000 (mean of all 100,000): ${at100k.calls.toFixed(3)} calls, ${at100k.bytes.toFixed(0)} bytes; ` +
        `largest single save: ${Math.max(...large.bytes)} bytes (a compaction)`,
    )
    expect(at100k.calls).toBeLessThanOrEqual(2 * at10.calls)
    expect(at100k.bytes).toBeLessThanOrEqual(2 * at10.bytes)
    // And flat along the way: the last 10,000 saves cost no more than the first 10,000.
    const window = 10_000
    expect(sum(large.bytes.slice(-window))).toBeLessThanOrEqual(2 * sum(large.bytes.slice(0, window)))
  }, 300_000)
})
