import fc from 'fast-check'
import { expect, it } from 'vitest'
import { mapBounded } from '../../src/checkpointer/map-bounded.js'

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

it('mapBounded keeps the order of its items and never runs more than the limit at once', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }), fc.integer({ min: 1, max: 8 }), async (delays, limit) => {
      let running = 0
      let most = 0
      const out = await mapBounded(delays, limit, async (d) => {
        running++
        most = Math.max(most, running)
        await tick(d)
        running--
        return d * 10
      })
      expect(out).toEqual(delays.map((d) => d * 10))
      expect(most).toBeLessThanOrEqual(limit)
      if (delays.length >= limit) expect(most).toBe(limit)
    }),
    { numRuns: 40 },
  )
})

it('mapBounded rejects with the first failure', async () => {
  await expect(mapBounded([1, 2, 3], 2, async (n) => (n === 2 ? Promise.reject(new Error('two')) : n))).rejects.toThrow('two')
})
