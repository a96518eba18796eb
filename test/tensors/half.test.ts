import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { bf16BitsToF32Bits, decodeSafetensors, encodeSafetensorsOrThrow, f16BitsToF32Bits } from '../../src/tensors/index.js'
import { concat } from './arbitraries.js'
import { pythonMissing, runPython } from './python.js'

/** IEEE 754 binary16 read the textbook way, with arithmetic on numbers. */
const f16Value = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const mant = h & 0x3ff
  if (exp === 0) return sign * mant * 2 ** -24
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN
  return sign * (1 + mant / 1024) * 2 ** (exp - 15)
}

const asF32 = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0]!
const ALL = Array.from({ length: 65536 }, (_, h) => h)
const allBytes = (): Uint8Array => new Uint8Array(new Uint16Array(ALL).buffer)

const numpyMissing = pythonMissing(['numpy'])
if (numpyMissing) console.warn(`half.test: skipping the numpy comparison: ${numpyMissing}`)

describe('F16 and BF16 to float32', () => {
  it('F16: every one of the 65536 values equals the textbook value; NaNs keep sign and payload', () => {
    const wrong = ALL.filter((h) => {
      const bits = f16BitsToF32Bits(h)
      const expected = f16Value(h)
      if (!Number.isNaN(expected)) return !Object.is(asF32(bits), expected)
      return !Number.isNaN(asF32(bits)) || bits >>> 31 !== h >>> 15 || (bits & 0x7fffff) !== (h & 0x3ff) << 13
    })
    expect(wrong).toEqual([])
    expect(ALL.filter((h) => Number.isNaN(f16Value(h)))).toHaveLength(2 * 1023)
  })

  it('BF16: every one of the 65536 values is the upper half of the float32', () => {
    const view = new DataView(new ArrayBuffer(4))
    const wrong = ALL.filter((h) => {
      view.setUint16(0, h) // big-endian: h becomes the high half
      view.setUint16(2, 0)
      return bf16BitsToF32Bits(h) !== view.getUint32(0)
    })
    expect(wrong).toEqual([])
  })

  it('decode with f16AsF32 converts F16 and BF16 tensors to Float32Array with dtype F32, at any alignment', () => {
    const file = concat(
      encodeSafetensorsOrThrow({
        h: { dtype: 'F16', shape: [65536], data: allBytes() },
        b: { dtype: 'BF16', shape: [256, 256], data: allBytes() },
        u: { dtype: 'U8', shape: [1], data: new Uint8Array([1]) },
      }),
    )
    for (const shift of [0, 1]) {
      const holder = new Uint8Array(file.length + shift)
      holder.set(file, shift)
      const r = decodeSafetensors(holder.subarray(shift), { f16AsF32: true })
      if (E.isLeft(r)) throw new Error(r.left.message)
      const { h, b, u } = r.right.tensors
      expect(h!.dtype).toBe('F32')
      expect(b!.dtype).toBe('F32')
      expect(b!.shape).toEqual([256, 256])
      expect(u!.dtype).toBe('U8')
      expect(h!.data).toBeInstanceOf(Float32Array)
      const hb = new Uint32Array(h!.data.buffer, h!.data.byteOffset, 65536)
      const bb = new Uint32Array(b!.data.buffer, b!.data.byteOffset, 65536)
      expect(ALL.filter((x) => hb[x] !== f16BitsToF32Bits(x) || bb[x] !== bf16BitsToF32Bits(x))).toEqual([])
    }
  })

  it('without f16AsF32, F16 and BF16 come back as raw bytes', () => {
    const r = decodeSafetensors(
      concat(encodeSafetensorsOrThrow({ h: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) } })),
    )
    if (E.isLeft(r)) throw new Error(r.left.message)
    expect(r.right.tensors['h']!.dtype).toBe('F16')
    expect([...r.right.tensors['h']!.data]).toEqual([0x00, 0x3c, 0x00, 0xc0])
  })

  it.skipIf(numpyMissing !== undefined)('F16: bit-identical to numpy float16.astype(float32) for all 65536 values', () => {
    const out = runPython(
      'import sys, numpy as np; h = np.frombuffer(sys.stdin.buffer.read(), dtype="<u2"); ' +
        'sys.stdout.buffer.write(h.view("<f2").astype("<f4").tobytes())',
      allBytes(),
    )
    const numpy = new Uint32Array(new Uint8Array(out).buffer)
    expect(numpy.length).toBe(65536)
    const mismatches = ALL.filter((h) => numpy[h] !== f16BitsToF32Bits(h))
    expect(mismatches).toEqual([])
  })
})
