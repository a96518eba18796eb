import { constants, crc32 as zlibCrc32, deflateRawSync } from 'node:zlib'

/**
 * Generators of hostile zip archives, built in memory from a few small pieces (no committed binaries):
 * a DEFLATE stream of N zeros is one deflated unit of zeros repeated, so gigabytes cost a few MB and milliseconds.
 */

const UNIT = 1 << 20

const FULL_FLUSH = { level: 9, finishFlush: constants.Z_FULL_FLUSH }

/**
 * A raw DEFLATE stream of `size` zeros: one deflated MiB of zeros, ending with a full flush (byte-aligned,
 * not final, no back-reference across it), repeated; then a final empty block. Also its CRC-32, continuing
 * `crc` (of the data before it).
 */
export const deflatedZeros = (size: number, crc = 0): { readonly chunks: ReadonlyArray<Uint8Array>; readonly crc: number } => {
  const unit = deflateRawSync(new Uint8Array(UNIT), FULL_FLUSH)
  const chunks: Uint8Array[] = []
  const zeros = new Uint8Array(UNIT)
  for (let left = size; left > 0; left -= UNIT) {
    const n = Math.min(UNIT, left)
    chunks.push(n === UNIT ? unit : deflateRawSync(new Uint8Array(n), FULL_FLUSH))
    crc = zlibCrc32(n === UNIT ? zeros : zeros.subarray(0, n), crc)
  }
  chunks.push(Uint8Array.of(0x03, 0x00)) // final block, fixed Huffman, end-of-block only
  return { chunks, crc }
}

/** One entry as the archive's directory will state it; `data` is what is stored, whatever the fields say. */
export interface RawEntry {
  readonly name: string
  /** 0 store, 8 deflate. */
  readonly method: number
  readonly crc: number
  /** The uncompressed size the local header and the central directory declare. */
  readonly size: number
  readonly data: ReadonlyArray<Uint8Array>
}

/** A STORE entry of `data`, its fields true. */
export const storedEntry = (name: string, data: Uint8Array): RawEntry => ({
  name,
  method: 0,
  crc: zlibCrc32(data),
  size: data.length,
  data: [data],
})

/** A DEFLATE entry of `data`, its fields true. */
export const deflatedEntry = (name: string, data: Uint8Array): RawEntry => ({
  name,
  method: 8,
  crc: zlibCrc32(data),
  size: data.length,
  data: [deflateRawSync(data)],
})

/** A DEFLATE entry of `size` zeros; `declared` overrides the size its fields state. */
export const zerosEntry = (name: string, size: number, declared = size): RawEntry => {
  const z = deflatedZeros(size)
  return { name, method: 8, crc: z.crc, size: declared, data: z.chunks }
}

/**
 * A DEFLATE entry of `prefix` then `zeros` zeros, its fields true: a large entry whose ratio stays low when
 * the prefix is random (DEFLATE stores random bytes as they are).
 */
export const prefixedZerosEntry = (name: string, prefix: Uint8Array, zeros: number): RawEntry => {
  const z = deflatedZeros(zeros, zlibCrc32(prefix))
  return { name, method: 8, crc: z.crc, size: prefix.length + zeros, data: [deflateRawSync(prefix, FULL_FLUSH), ...z.chunks] }
}

const byteLength = (chunks: ReadonlyArray<Uint8Array>): number => chunks.reduce((n, c) => n + c.length, 0)

/** A zip archive of `entries` exactly as given (compressed size = the stored bytes), no zip64. */
export const rawZip = (entries: ReadonlyArray<RawEntry>): Uint8Array => {
  const names = entries.map((e) => new TextEncoder().encode(e.name))
  const locals = entries.map((e, i) => 30 + names[i]!.length + byteLength(e.data))
  const centralStart = locals.reduce((a, b) => a + b, 0)
  const centralSize = names.reduce((n, name) => n + 46 + name.length, 0)
  const out = new Uint8Array(centralStart + centralSize + 22)
  const view = new DataView(out.buffer)
  const common = (at: number, e: RawEntry, compressed: number, nameLength: number): void => {
    view.setUint16(at, 20, true)
    view.setUint16(at + 2, 0x0800, true)
    view.setUint16(at + 4, e.method, true)
    view.setUint32(at + 10, e.crc, true)
    view.setUint32(at + 14, compressed, true)
    view.setUint32(at + 18, e.size, true)
    view.setUint16(at + 22, nameLength, true)
  }
  let p = 0
  let c = centralStart
  for (const [i, e] of entries.entries()) {
    const name = names[i]!
    const compressed = byteLength(e.data)
    view.setUint32(p, 0x04034b50, true)
    common(p + 4, e, compressed, name.length)
    out.set(name, p + 30)
    view.setUint32(c, 0x02014b50, true)
    view.setUint16(c + 4, 20, true)
    common(c + 6, e, compressed, name.length)
    view.setUint32(c + 42, p, true)
    out.set(name, c + 46)
    let d = p + 30 + name.length
    for (const chunk of e.data) {
      out.set(chunk, d)
      d += chunk.length
    }
    p = d
    c += 46 + name.length
  }
  view.setUint32(c, 0x06054b50, true)
  view.setUint16(c + 8, entries.length, true)
  view.setUint16(c + 10, entries.length, true)
  view.setUint32(c + 12, centralSize, true)
  view.setUint32(c + 16, centralStart, true)
  return out
}
