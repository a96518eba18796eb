import { createHash } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCheckpointer, type CheckpointerOptions } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { pythonMissing, runPythonJson } from '../tensors/python.js'
import type { Tensor, Tensors } from '../../src/tensors/index.js'

/** F32 tensors `layers.<i>.weight` of `sizes[i]` elements each, with values that depend on `seed`, in that order. */
export const f32Tensors = (sizes: ReadonlyArray<number>, seed = 1): Record<string, Tensor> => {
  const out: Record<string, Tensor> = {}
  sizes.forEach((n, i) => {
    out[`layers.${i}.weight`] = { dtype: 'F32', shape: [n], data: Float32Array.from({ length: n }, (_, k) => seed * 1000 + i + k / 8) }
  })
  return out
}

/** Every file under `dir`, as sorted '/'-separated relative paths (temporary files included: a test checks they are gone). */
export const filesUnder = (dir: string): string[] => {
  const out: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p).split('\\').join('/'))
    }
  }
  walk(dir)
  return out.sort()
}

/** The tensors' total byte size. */
export const bytesOf = (tensors: Tensors): number => Object.values(tensors).reduce((n, t) => n + t.data.byteLength, 0)

const ORACLE = fileURLToPath(new URL('./hf_oracle.py', import.meta.url))

/** Runs `hf_oracle.py` with `args` (and `input` as JSON on stdin); returns its JSON output. */
export const hfOracle = <A>(args: ReadonlyArray<string>, input?: unknown): A => runPythonJson<A>(ORACLE, args, input)

/** Why the oracle cannot run with `modules`, printed once; undefined when it can. */
export const oracleMissing = (suite: string, modules: ReadonlyArray<string>): string | undefined => {
  const missing = pythonMissing(modules)
  if (missing !== undefined) console.warn(`${suite}: skipped: ${missing} (pip install ${modules.join(' ')})`)
  return missing
}

/** The SHA-256 (hex) of a tensor's bytes, as the oracle reports it. */
export const sha256Of = (t: Tensor): string =>
  createHash('sha256')
    .update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
    .digest('hex')

/** Saves `tensors` as epoch `epoch` into `dir` through a Checkpointer with `options`, then closes it. */
export const saveOnce = async (
  dir: string,
  options: Partial<CheckpointerOptions<Tensors, Tensors>>,
  tensors: Tensors,
  epoch = 0,
): Promise<void> => {
  const ckpt = await createCheckpointer({
    storage: fsStorage(dir),
    filepath: 'run/model.safetensors',
    monitor: 'loss',
    log: () => {},
    ...options,
  })
  await ckpt.onEpochEnd({ epoch, logs: { loss: 1 } }, tensors)
  await ckpt.close()
}
