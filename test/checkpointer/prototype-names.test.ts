import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Tensor, Tensors } from '../../src/tensors/index.js'
import { quiet } from './support.js'

const t = (v: number): Tensor => ({ dtype: 'F32', shape: [1], data: new Float32Array([v]) })

describe.each([false, true])('a tensor named like an Object.prototype key (immutableSnapshots: %s)', (immutableSnapshots) => {
  it.each(['__proto__', 'constructor', 'prototype'])(
    '%s is never dropped silently: the save is refused with a typed error naming it',
    async (name) => {
      const storage = memoryStorage()
      const c = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', immutableSnapshots, ...quiet })
      const snapshot = Object.fromEntries([
        [name, t(1)],
        ['w', t(2)],
      ]) as Tensors
      expect(Object.keys(snapshot)).toContain(name)
      const err = await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, snapshot).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(CkptError)
      expect((err as CkptError)._tag).toBe('ForbiddenName')
      expect((err as CkptError).message).toContain(`"${name}"`)
      expect(await c.list()).toEqual([])
      // The next save of ordinary names goes through.
      expect((await c.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, { w: t(3) })).saved).toBe(true)
      expect(Object.keys((await c.restore()).value)).toEqual(['w'])
      await c.close()
    },
  )
})
