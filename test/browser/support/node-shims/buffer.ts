/** A test-only `Buffer` with the few members `src/` uses (see README.md): a Uint8Array with Node's static helpers. */
const encoder = new TextEncoder()

class Bytes extends Uint8Array {
  equals(other: Uint8Array): boolean {
    return compare(this, other) === 0
  }
}

const compare = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.byteLength, b.byteLength)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
  return a.byteLength === b.byteLength ? 0 : a.byteLength < b.byteLength ? -1 : 1
}

const from = (value: string | ArrayLike<number> | ArrayBuffer, encoding?: string): Bytes => {
  if (typeof value === 'string') {
    if (encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') throw new Error(`test Buffer shim: encoding ${encoding}`)
    const bytes = encoder.encode(value)
    return new Bytes(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  const source = value instanceof ArrayBuffer ? new Uint8Array(value) : value
  const copy = new Bytes(source.length)
  copy.set(source)
  return copy
}

const concat = (parts: ReadonlyArray<Uint8Array>): Bytes => {
  const out = new Bytes(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

export const Buffer = Object.assign(Bytes, {
  from,
  compare,
  concat,
  byteLength: (s: string): number => encoder.encode(s).byteLength,
  allocUnsafeSlow: (n: number): Bytes => new Bytes(n),
})

export const constants = { MAX_LENGTH: 2 ** 32 }
