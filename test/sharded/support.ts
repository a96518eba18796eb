import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
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
