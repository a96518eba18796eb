import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { whenImproved } from '../../src/policy/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { quiet, tensorsFor } from './support.js'

describe('a monitor named like an Object.prototype key, absent from the logs', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])(
    '%s: the save records no score (not the inherited function), and the index opens again',
    async (monitor) => {
      const storage = memoryStorage()
      const options = { storage, filepath: 'e{epoch}.safetensors', monitor, mode: 'min' as const, maxToKeep: 2, ...quiet }
      const c = await createCheckpointer(options)
      // Epoch 1 lacks the monitor; epochs 2 and 3 hold it (an own key, as a logs object parsed from JSON has it).
      await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
      await c.onEpochEnd({ epoch: 1, logs: JSON.parse(`{"${monitor}": 0.5}`) as Record<string, number> }, tensorsFor(1))
      await c.onEpochEnd({ epoch: 2, logs: JSON.parse(`{"${monitor}": 0.7}`) as Record<string, number> }, tensorsFor(2))
      expect((await c.list()).map((e) => [e.epoch, e.score])).toEqual([
        [1, 0.5],
        [2, 0.7],
      ])
      expect((await c.best())?.epoch).toBe(1)
      await c.close()
      // The next process reads the index it wrote.
      const reopened = await createCheckpointer(options)
      expect((await reopened.list()).map((e) => e.epoch)).toEqual([1, 2])
      expect((await reopened.best())?.epoch).toBe(1)
      await reopened.close()
    },
  )

  it.each(['constructor', 'toString'])(
    '%s, with saveBestOnly: an epoch without it is skipped as a missing monitor, with the warning',
    async (monitor) => {
      const lines: string[] = []
      const c = await createCheckpointer({
        storage: memoryStorage(),
        filepath: 'e{epoch}.safetensors',
        monitor,
        mode: 'min',
        saveBestOnly: true,
        log: (l: string) => lines.push(l),
      })
      const r = await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
      expect(r.saved).toBe(false)
      expect(lines.join('\n')).toContain(`Can save best model only with ${monitor} available, skipping.`)
      await c.close()
    },
  )

  it('constructor, in whenImproved: an event without it never fires the rule', () => {
    const rule = whenImproved('constructor', 'min')
    const r = rule.step(rule.initial, { kind: 'epoch', epoch: 0, logs: { loss: 1 } })
    expect(r).toEqual({ _tag: 'Right', right: [{ best: null }, false] })
  })
})
