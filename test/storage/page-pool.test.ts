// The Map store's pages (src/storage/page-pool.ts): bytes copied in 256 KiB pages, the pages of dropped objects
// used again by later writes, never more of them kept than stored objects hold, and ranges read across pages.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { copyOut, PAGE_BYTES, pagePool, pieces } from '../../src/storage/page-pool.js'
import { cut } from '../support/cut.js'

async function* from(chunks: ReadonlyArray<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c
}
const bytesOf = (n: number, seed = 1) => {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 255
  return out
}
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)

describe('pagePool', () => {
  it('copies: a chunk changed after the write does not change the stored bytes, a Buffer (whose slice is a view) too', async () => {
    for (const chunk of [bytesOf(PAGE_BYTES + 10), Buffer.from(bytesOf(PAGE_BYTES + 10)), Buffer.from(bytesOf(100))]) {
      const expected = bytesOf(chunk.byteLength)
      const p = await pagePool().fill(from([chunk]))
      chunk.fill(0)
      const out = new Uint8Array(p.size)
      copyOut(p, 0, p.size, out)
      expect(same(out, expected)).toBe(true)
    }
  })

  it("gives a dropped object's pages to the next write, whose bytes they then hold", async () => {
    const pool = pagePool()
    const kept = await pool.fill(from([bytesOf(3 * PAGE_BYTES, 5)]))
    const old = await pool.fill(from([bytesOf(2 * PAGE_BYTES + 1, 7)]))
    pool.hold(kept)
    pool.hold(old)
    pool.drop(old, true)
    expect(pool.free).toBe(3)
    const next = await pool.fill(from([bytesOf(2 * PAGE_BYTES, 9)]))
    expect(next.pages.every((page) => old.pages.includes(page))).toBe(true)
    expect(pool.free).toBe(1)
    const out = new Uint8Array(next.size)
    copyOut(next, 0, next.size, out)
    expect(same(out, bytesOf(2 * PAGE_BYTES, 9))).toBe(true)
  })

  it('keeps no more free pages than stored objects hold, and none once nothing is stored', async () => {
    const pool = pagePool()
    const small = await pool.fill(from([bytesOf(PAGE_BYTES)]))
    const big = await pool.fill(from([bytesOf(4 * PAGE_BYTES)]))
    pool.hold(small)
    pool.hold(big)
    pool.drop(big, true)
    expect(pool.free).toBe(1)
    pool.drop(small, true)
    expect(pool.free).toBe(0)
  })

  it('does not reuse the pages of an object dropped while a reader views them', async () => {
    const pool = pagePool()
    const a = await pool.fill(from([bytesOf(2 * PAGE_BYTES)]))
    const b = await pool.fill(from([bytesOf(2 * PAGE_BYTES)]))
    pool.hold(a)
    pool.hold(b)
    pool.drop(a, false)
    expect(pool.free).toBe(0)
  })

  it('stores an object under one page in a buffer of its own: with no free page it makes none, else the page it used comes back', async () => {
    const pool = pagePool()
    const none = await pool.fill(from([bytesOf(100), bytesOf(50)]))
    expect(none).toMatchObject({ size: 150, pooled: false })
    expect(none.pages).toHaveLength(1)
    expect(same(none.pages[0]!, new Uint8Array([...bytesOf(100), ...bytesOf(50)]))).toBe(true)
    expect(pool.made).toBe(0)
    const empty = await pool.fill(from([]))
    expect(empty).toEqual({ pages: [new Uint8Array(0)], size: 0, pooled: false })
    // A write that starts without a free page and grows past one gets pages, its first bytes in them too.
    const grown = await pool.fill(from([bytesOf(1000), bytesOf(2 * PAGE_BYTES, 3)]))
    expect(grown).toMatchObject({ size: 2 * PAGE_BYTES + 1000, pooled: true })
    const out = new Uint8Array(grown.size)
    copyOut(grown, 0, grown.size, out)
    expect(same(out, new Uint8Array([...bytesOf(1000), ...bytesOf(2 * PAGE_BYTES, 3)]))).toBe(true)
    pool.hold(grown)
    pool.hold(await pool.fill(from([bytesOf(3 * PAGE_BYTES)])))
    pool.drop(grown, true)
    expect(pool.free).toBe(3)
    const small = await pool.fill(from([bytesOf(100)]))
    expect(small).toMatchObject({ size: 100, pooled: false })
    expect(small.pages[0]!.byteLength).toBe(100)
    expect(pool.free).toBe(3) // the page the write started in came back
  })

  it('takes back the pages of a write whose chunks fail, and of one refused', async () => {
    const pool = pagePool()
    pool.hold(await pool.fill(from([bytesOf(4 * PAGE_BYTES)])))
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytesOf(2 * PAGE_BYTES)
      throw new Error('source failed')
    }
    await expect(pool.fill(failing())).rejects.toThrow('source failed')
    expect(pool.free).toBe(2)
    const refused = await pool.fill(from([bytesOf(3 * PAGE_BYTES)]))
    expect(pool.free).toBe(0)
    pool.giveBack(refused)
    expect(pool.free).toBe(3)
  })

  it('reads any range of any object, given in any chunks, as the bytes written', async () => {
    const pool = pagePool()
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * PAGE_BYTES + 17 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        async (size, cuts, x, y) => {
          const bytes = bytesOf(size, size)
          const p = await pool.fill(from(cut(bytes, cuts)))
          const [start, end] = [x % (size + 1), y % (size + 1)].sort((a, b) => a - b) as [number, number]
          const out = new Uint8Array(end - start + 3)
          copyOut(p, start, end, out, 3)
          expect(same(out.subarray(3), bytes.subarray(start, end))).toBe(true)
          const viewed = [...pieces(p, start, end)]
          expect(viewed.every((v) => v.byteLength <= PAGE_BYTES)).toBe(true)
          expect(viewed.reduce((n, v) => n + v.byteLength, 0)).toBe(end - start)
          pool.hold(p)
          pool.drop(p, true)
        },
      ),
      { numRuns: 60 },
    )
  })
})
