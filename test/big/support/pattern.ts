import type { Tensor, Tensors } from '../../../src/tensors/index.js'

/** The largest tensor the pattern makes: over 2 GiB, so one tensor is more than one Node read or write can move. */
const TENSOR_BYTES = 2.25 * 2 ** 30

/** The 32-bit word at `i` of tensor number `t`: every word differs from its neighbours and from other tensors' words. */
const word = (t: number, i: number): number => (Math.imul(i ^ (t * 0x5bd1e995), 0x9e3779b1) ^ (i >>> 11)) >>> 0

/** Tensors of `bytes` bytes in all, F32 tensors of at most 2.25 GiB, each filled with its own word pattern. */
export const patternTensors = (bytes: number): Tensors => {
  const out: Record<string, Tensor> = {}
  for (let t = 0, left = bytes - (bytes % 4); left > 0; t++) {
    const n = Math.min(TENSOR_BYTES, left) / 4
    const data = new Float32Array(n)
    const words = new Uint32Array(data.buffer)
    for (let i = 0; i < n; i++) words[i] = word(t, i)
    out[`t${t}`] = { dtype: 'F32', shape: [n], data }
    left -= n * 4
  }
  return out
}

/** Checks `samples` words of each tensor (its first and last ones included) against the pattern. */
export const checkSamples = (tensors: Tensors, samples = 100_000): { readonly checked: number; readonly wrong: ReadonlyArray<string> } => {
  const wrong: string[] = []
  let checked = 0
  for (const [name, t] of Object.entries(tensors)) {
    const tIndex = Number(name.slice(1))
    const words = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4)
    const n = words.length
    for (let k = 0; k < samples; k++) {
      const i = k === 0 ? 0 : k === 1 ? n - 1 : Math.floor(Math.random() * n)
      checked++
      if (words[i] !== word(tIndex, i) && wrong.length < 10) wrong.push(`${name}[${i}] = ${words[i]}, expected ${word(tIndex, i)}`)
    }
  }
  return { checked, wrong }
}
