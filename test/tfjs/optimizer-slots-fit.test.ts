import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { fitResumable } from '../../src/adapters/tfjs/fit-resumable.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { dataset, tinyModel, weightBytes } from './support/fixtures.js'
import { FIT } from './support/resume-setup.js'

// tfjs optimizers put their saved slots back by position. A model whose trainable weights changed since the backup (a
// layer frozen) must be refused before anything is written, not fail at its first step with a broadcast error, nor
// take one weight's moments for another's.
const quiet = { log: () => {} }
const interruptAfterFirstEpoch = new tfl.CustomCallback({
  onEpochEnd: async (epoch) => {
    if (epoch === 0) throw new Error('interrupted')
  },
})

describe('fitResumable: a backup whose optimizer slots do not fit the model', () => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend('cpu')
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  it('a layer frozen since the backup: OptimizerMismatch naming the slot and weight shapes; the model is left unchanged', async () => {
    const storage = memoryStorage()
    const trained = tinyModel(tf.train.adam(0.01))
    await fitResumable(trained, data.x, data.y, { ...FIT, epochs: 3, callbacks: [interruptAfterFirstEpoch] }, { storage, ...quiet }).catch(
      () => undefined,
    )
    const frozen = tinyModel()
    frozen.getLayer('hidden').trainable = false
    frozen.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
    const before = weightBytes(frozen)
    const err = await fitResumable(frozen, data.x, data.y, { ...FIT, epochs: 3 }, { storage, ...quiet }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CkptTfjsError)
    expect((err as CkptTfjsError).error._tag).toBe('OptimizerMismatch')
    expect((err as CkptTfjsError).message).toContain(
      'holds Adam state of 8 slot tensors (shapes [4, 6], [6], [6, 1], [1], [4, 6], [6], … (8 in all))',
    )
    expect((err as CkptTfjsError).message).toContain('but the model trains 2 weights of shapes [6, 1], [1]: was a layer frozen or unfrozen')
    expect(weightBytes(frozen)).toEqual(before)
    trained.dispose()
    frozen.dispose()
  })

  it('the same trainable layers: the backup resumes', async () => {
    const storage = memoryStorage()
    const trained = tinyModel(tf.train.adam(0.01))
    await fitResumable(trained, data.x, data.y, { ...FIT, epochs: 3, callbacks: [interruptAfterFirstEpoch] }, { storage, ...quiet }).catch(
      () => undefined,
    )
    const again = tinyModel(tf.train.adam(0.01))
    const epochs: number[] = []
    await fitResumable(
      again,
      data.x,
      data.y,
      { ...FIT, epochs: 3, callbacks: [new tfl.CustomCallback({ onEpochBegin: async (e) => void epochs.push(e) })] },
      { storage, ...quiet },
    )
    expect(epochs).toEqual([1, 2])
    trained.dispose()
    again.dispose()
  })
})
