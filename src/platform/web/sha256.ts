import type { Sha256 } from '../types.js'

/*
 * SHA-256 (FIPS 180-4) in plain JavaScript, incremental: Web Crypto has no incremental digest. Only the whole-file
 * checksums of small files and index segments use it; block checksums (most of the bytes) go to Web Crypto.
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

/** Compresses the 64-byte blocks of `bytes` from `at` up to `end` into `h`, with `w` as the schedule. */
const compress = (h: Uint32Array, w: Uint32Array, bytes: Uint8Array, at: number, end: number): void => {
  let [a, b, c, d, e, f, g, hh] = h as unknown as number[] as [number, number, number, number, number, number, number, number]
  for (; at + 64 <= end; at += 64) {
    for (let i = 0; i < 16; i++) {
      const j = at + i * 4
      w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!
      const y = w[i - 2]!
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0
    }
    let A = a
    let B = b
    let C = c
    let D = d
    let E = e
    let F = f
    let G = g
    let H = hh
    for (let i = 0; i < 64; i++) {
      const S1 = ((E >>> 6) | (E << 26)) ^ ((E >>> 11) | (E << 21)) ^ ((E >>> 25) | (E << 7))
      const t1 = (H + S1 + ((E & F) ^ (~E & G)) + K[i]! + w[i]!) | 0
      const S0 = ((A >>> 2) | (A << 30)) ^ ((A >>> 13) | (A << 19)) ^ ((A >>> 22) | (A << 10))
      const t2 = (S0 + ((A & B) ^ (A & C) ^ (B & C))) | 0
      H = G
      G = F
      F = E
      E = (D + t1) | 0
      D = C
      C = B
      B = A
      A = (t1 + t2) | 0
    }
    a = (a + A) | 0
    b = (b + B) | 0
    c = (c + C) | 0
    d = (d + D) | 0
    e = (e + E) | 0
    f = (f + F) | 0
    g = (g + G) | 0
    hh = (hh + H) | 0
  }
  h[0] = a
  h[1] = b
  h[2] = c
  h[3] = d
  h[4] = e
  h[5] = f
  h[6] = g
  h[7] = hh
}

/** An incremental SHA-256 in plain JavaScript. */
export const createSha256 = (): Sha256 => {
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])
  const w = new Uint32Array(64)
  /** A partial block, `filled` bytes of it. */
  const block = new Uint8Array(64)
  let filled = 0
  let total = 0
  const update = (bytes: Uint8Array) => {
    total += bytes.byteLength
    let at = 0
    if (filled > 0) {
      const n = Math.min(64 - filled, bytes.byteLength)
      block.set(bytes.subarray(0, n), filled)
      filled += n
      at = n
      if (filled < 64) return
      compress(h, w, block, 0, 64)
      filled = 0
    }
    const whole = at + Math.floor((bytes.byteLength - at) / 64) * 64
    compress(h, w, bytes, at, whole)
    block.set(bytes.subarray(whole), 0)
    filled = bytes.byteLength - whole
  }
  return {
    update,
    hex() {
      const bits = total * 8
      const tail = new Uint8Array((filled < 56 ? 64 : 128) - filled)
      tail[0] = 0x80
      const view = new DataView(tail.buffer)
      view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32))
      view.setUint32(tail.length - 4, bits >>> 0)
      update(tail)
      return Array.from(h, (x) => (x >>> 0).toString(16).padStart(8, '0')).join('')
    },
  }
}
