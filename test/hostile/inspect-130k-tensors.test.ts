import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { ckpt, tempDir } from '../cli/support.js'

const tmp = tempDir('ckpt-hostile-inspect-')
afterAll(tmp.cleanup)

const N = 130_000

/** A safetensors file of N one-byte U8 tensors, its header written directly (fast, and no encoder limits in the way). */
const manyTensors = (n: number): Uint8Array => {
  const header: Record<string, unknown> = {}
  for (let i = 0; i < n; i++) header[`t${String(i).padStart(6, '0')}`] = { dtype: 'U8', shape: [1], data_offsets: [i, i + 1] }
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - (json.length % 8)) % 8)
  const out = new Uint8Array(8 + json.length + n)
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true)
  out.set(new TextEncoder().encode(json), 8)
  return out
}

it('ckpt inspect shows a safetensors file of 130k tensors (no argument-list spread of the rows)', async () => {
  const file = join(tmp.dir, 'many.safetensors')
  writeFileSync(file, manyTensors(N))
  const started = Date.now()
  const r = await ckpt(['inspect', file])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  expect(r.stdout).toContain(`t${String(N - 1).padStart(6, '0')}`)
  // A guard against a hang or quadratic blow-up, not a speed test: generous for a loaded 2-core CI machine.
  expect(Date.now() - started).toBeLessThan(45_000)
}, 90_000)
