import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { useBackend, type BackendName } from '../../src/adapters/tfjs/backend.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { BACKENDS } from './support/fixtures.js'

describe('useBackend', () => {
  for (const name of BACKENDS) {
    it(`activates ${name} and runs kernels on it`, async () => {
      await useBackend(name)
      expect(tf.getBackend()).toBe(name)
      expect(tf.engine().backendName).toBe(name)
      expect(Array.from(tf.tidy(() => tf.mul(tf.tensor1d([2, 3]), 4).dataSync()))).toEqual([8, 12])
    })
  }

  it('switches back and forth', async () => {
    await useBackend('wasm')
    await useBackend('cpu')
    expect(tf.getBackend()).toBe('cpu')
    await useBackend('wasm')
    expect(tf.getBackend()).toBe('wasm')
  })

  it('refuses an unknown backend, listing the supported ones', async () => {
    const err = await useBackend('webgl' as BackendName).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CkptTfjsError)
    expect((err as CkptTfjsError).error._tag).toBe('BackendUnavailable')
    expect((err as Error).message).toMatch(/'webgl'.*unknown backend.*wasm, cpu/)
  })
})
