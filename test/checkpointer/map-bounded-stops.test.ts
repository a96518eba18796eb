import { expect, it } from 'vitest'
import { mapBounded } from '../../src/checkpointer/map-bounded.js'

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1))

it('mapBounded starts no further item once one has failed (a failed scan does not read on through the folder)', async () => {
  const started: number[] = []
  const items = Array.from({ length: 200 }, (_, i) => i)
  await expect(
    mapBounded(items, 4, async (n) => {
      started.push(n)
      await tick()
      if (n === 0) throw new Error('zero')
      return n
    }),
  ).rejects.toThrow('zero')
  // Let any worker that would run on do so.
  for (let i = 0; i < 50; i++) await tick()
  // The four first items were in flight together; a worker may take one more item before it sees the failure.
  expect(started.length).toBeLessThanOrEqual(8)
})
