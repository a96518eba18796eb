import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { s3Storage } from '../../src/storage/s3.js'
import type { ByteRange, Storage } from '../../src/storage/storage.js'
import { isGet, type HttpFault } from '../../src/testing/index.js'
import { motoMissing, useProxiedMoto } from './servers.js'

// Some S3-compatible servers and proxies answer GetObject chunked, without Content-Length: a read must still
// return every byte, whether the server honours a Range (206, Content-Range) or ignores it (200, the whole object).
const missing = motoMissing()
if (missing !== null) console.warn(`[storage] skipping the chunked S3 replies suite: ${missing}`)

const MiB = 1024 * 1024

describe.skipIf(missing !== null)('S3 reads of replies without Content-Length (chunked), moto_server behind a proxy', () => {
  const moto = useProxiedMoto()

  /** A storage through the proxy, opened (probe done) before a fault is armed, holding `bytes` at "k". */
  const holding = async (bytes: Uint8Array): Promise<Storage> => {
    const s = s3Storage(moto().options({ maxAttempts: 3 }))
    moto().proxy.arm()
    await s.open()
    await s.write('k', bytes)
    return s
  }

  /** What `read` and `readStream` return for `range` of "k", each with `fault` armed (which must fire). */
  const bothReads = async (s: Storage, fault: HttpFault, range?: ByteRange): Promise<{ read: Buffer; stream: Buffer }> => {
    const { proxy } = moto()
    proxy.arm(fault)
    const read = Buffer.from(await s.read('k', range))
    const readFired = proxy.fired
    proxy.arm(fault)
    const parts: Uint8Array[] = []
    for await (const c of await s.readStream('k', range)) parts.push(c)
    expect(readFired && proxy.fired, `${fault.kind} fired on read and readStream`).toBe(true)
    return { read, stream: Buffer.concat(parts) }
  }

  const chunked = (extra: Partial<HttpFault> = {}): HttpFault => ({ kind: 'chunked', nth: 1, times: Infinity, match: isGet, ...extra })
  const gets = (): number => moto().proxy.requests.filter((r) => r.startsWith('GET')).length

  it('read and readStream of whole objects return every byte', async () => {
    for (const size of [0, 1, 1000, 3 * MiB + 17]) {
      const bytes = new Uint8Array(randomBytes(size))
      const s = await holding(bytes)
      const { read, stream } = await bothReads(s, chunked())
      expect(read.equals(bytes), `read of ${size} bytes`).toBe(true)
      expect(stream.equals(bytes), `readStream of ${size} bytes`).toBe(true)
    }
  })

  it('ranged reads return the range, whether the server honours the Range (206) or ignores it (200, the whole object)', async () => {
    const size = 2 * MiB + 5
    const bytes = new Uint8Array(randomBytes(size))
    const s = await holding(bytes)
    const ranges: ByteRange[] = [
      { start: 0, end: 1 },
      { start: 5, end: 1000 },
      { start: 1000, end: size },
      { start: size - 10, end: size + 100 },
      { start: 0, end: size + 1 },
      { start: size, end: size + 5 },
      { start: size + 10, end: size + 20 },
    ]
    for (const dropRange of [false, true])
      for (const r of ranges) {
        const want = Buffer.from(bytes.subarray(Math.min(r.start, size), Math.min(r.end, size)))
        const { read, stream } = await bothReads(s, chunked({ dropRange }), r)
        const label = `${JSON.stringify(r)}${dropRange ? ', Range ignored' : ''}`
        expect(read.equals(want), `read ${label}: ${read.byteLength} bytes, want ${want.byteLength}`).toBe(true)
        expect(stream.equals(want), `readStream ${label}`).toBe(true)
      }
  })

  it('a chunked body cut by a reset is resumed from the next byte (If-Match pinned) and returns every byte', async () => {
    const bytes = new Uint8Array(randomBytes(3 * MiB + 17))
    const s = await holding(bytes)
    for (const dropRange of [false, true]) {
      const cut: HttpFault = { kind: 'chunked-truncate', nth: 1, match: isGet, dropRange }
      const { read, stream } = await bothReads(s, cut)
      expect(read.equals(bytes), `read, Range ignored: ${dropRange}`).toBe(true)
      expect(stream.equals(bytes), `readStream, Range ignored: ${dropRange}`).toBe(true)
      expect(gets(), 'a second GET resumed the stream').toBe(2)
      const r = { start: 100, end: 2 * MiB }
      const ranged = await bothReads(s, cut, r)
      expect(ranged.read.equals(bytes.subarray(r.start, r.end)), `ranged read, Range ignored: ${dropRange}`).toBe(true)
      expect(ranged.stream.equals(bytes.subarray(r.start, r.end)), `ranged readStream, Range ignored: ${dropRange}`).toBe(true)
    }
  })

  it('a chunked body that ends cleanly early is resumed when its Content-Range tells its end; when nothing tells the size, the read is what the body held', async () => {
    const size = MiB + 11
    const bytes = new Uint8Array(randomBytes(size))
    const s = await holding(bytes)
    const r = { start: 10, end: size }
    const told = await bothReads(s, { kind: 'chunked-short', nth: 1, match: isGet }, r)
    expect(told.read.equals(bytes.subarray(r.start)), 'ranged read').toBe(true)
    expect(told.stream.equals(bytes.subarray(r.start)), 'ranged readStream').toBe(true)
    expect(gets(), 'a second GET resumed the stream').toBe(2)
    const untold = await bothReads(s, { kind: 'chunked-short', nth: 1, match: isGet, dropRange: true })
    const held = bytes.subarray(0, Math.floor(size / 2))
    expect(untold.read.equals(held), `read: ${untold.read.byteLength} bytes, the body held ${held.byteLength}`).toBe(true)
    expect(untold.stream.equals(held), 'readStream').toBe(true)
  })
})
