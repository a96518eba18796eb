import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
