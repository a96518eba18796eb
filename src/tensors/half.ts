/**
 * Exact widening of 16-bit floats to float32, bit for bit: zeros, subnormals, infinities and NaN
 * payloads are all preserved (every F16 and BF16 value is representable in float32).
 */

/** The float32 bit pattern of an IEEE 754 binary16 bit pattern. */
export const f16BitsToF32Bits = (h: number): number => {
  const sign = (h & 0x8000) << 16
  const exp = (h >>> 10) & 0x1f
  const mant = h & 0x3ff
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0
  if (mant === 0) return sign >>> 0
  // Subnormal: mant × 2^-24. Normalise on the highest set bit p: 2^(p-24) × (mant / 2^p).
  const p = 31 - Math.clz32(mant)
  return (sign | ((p + 103) << 23) | ((mant - (1 << p)) << (23 - p))) >>> 0
}

/** The float32 bit pattern of a bfloat16 bit pattern (its upper half). */
export const bf16BitsToF32Bits = (h: number): number => (h << 16) >>> 0

/**
 * Converts `count` little-endian 16-bit floats starting at `bytes[0]` into a new Float32Array.
 * `bytes` may start at any offset; nothing is read outside `bytes.subarray(0, 2 * count)`.
 */
export const widen16 = (bytes: Uint8Array, kind: 'F16' | 'BF16'): Float32Array => {
  const count = bytes.length >>> 1
  const out = new Float32Array(count)
  const bits = new Uint32Array(out.buffer)
  if (kind === 'BF16') {
    for (let k = 0; k < count; k++) bits[k] = ((bytes[2 * k]! | (bytes[2 * k + 1]! << 8)) << 16) >>> 0
  } else {
    for (let k = 0; k < count; k++) bits[k] = f16BitsToF32Bits(bytes[2 * k]! | (bytes[2 * k + 1]! << 8))
  }
  return out
}
