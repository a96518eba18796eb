import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ByteRange, Storage } from '../../src/storage/storage.js'
import type { Tensors } from '../../src/tensors/index.js'

/** A small deterministic tensor record whose values depend on `seed`. */
export const tensorsFor = (seed: number, n = 16): Tensors => ({
  'dense/kernel': { dtype: 'F32', shape: [n / 4, 4], data: Float32Array.from({ length: n }, (_, i) => seed * 100 + i + 0.5) },
  'dense/bias': { dtype: 'F32', shape: [4], data: Float32Array.from({ length: 4 }, (_, i) => -seed - i) },
  step: { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(seed)) },
})

export const tempDir = (prefix = 'ckpt-test-'): { dir: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export const quiet = { log: () => {} }

/**
 * The bytes of a version-1 index (as ckpt wrote before segments) of `n` entries `seed/e<i>.safetensors`, whose files
 * need not exist; epochs are odd (so `keepPeriod: 2` keeps them all), losses fall. For tests and the bench at scale.
 */
export const versionOneIndex = (n: number): string => {
  const sha256 = `sha256:${'0'.repeat(64)}`
  const policyState = { version: 1, best: null, batchesSinceSave: 0, lastBatchSeen: null, step: 0, trigger: null }
  const checkpoints = Array.from({ length: n }, (_, i) => ({
    path: `seed/e${i + 1}.safetensors`,
    format: 'safetensors',
    epoch: 2 * i + 1,
    step: 0,
    batch: null,
    metrics: { loss: 1 / (i + 1) },
    score: 1 / (i + 1),
    time: 1_000_000 + i,
    policyState,
    files: [{ key: `seed/e${i + 1}.safetensors`, size: 384, sha256 }],
  }))
  const doc = {
    format: 'ckpt-index',
    version: 1,
    checkpoints,
    replacing: [],
    removing: [],
    policyState,
    ranking: { monitor: 'loss', mode: 'min' },
  }
  return JSON.stringify(doc, null, 1)
}

/** `storage`, counting the bytes of the reads in flight at once (each read's size known from the files' sizes). */
export const countingReads = (storage: Storage, sizes: ReadonlyMap<string, number>) => {
  let inFlight = 0
  let most = 0
  const read = async (key: string, range?: ByteRange): Promise<Uint8Array> => {
    const size = sizes.get(key) ?? 0
    const n = Math.max(0, Math.min(range?.end ?? size, size) - (range?.start ?? 0))
    inFlight += n
    most = Math.max(most, inFlight)
    try {
      return await storage.read(key, range)
    } finally {
      inFlight -= n
    }
  }
  // Without the inner `readInto`: a reader would use it, past this `read`, and those bytes would go uncounted.
  const { readInto: _, ...rest } = storage
  return { storage: { ...rest, read } as Storage, most: () => most }
}
