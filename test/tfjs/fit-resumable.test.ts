import { cp, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { fitResumable } from '../../src/adapters/tfjs/fit-resumable.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { ChildJob } from './resume-child.js'
import { useResumeChild } from './support/resume-child-runner.js'
import { BACKENDS, dataset, tinyModel, weightBytes } from './support/fixtures.js'
import { FIRST_PART, FIT, optimizerNamed, TOTAL_EPOCHS } from './support/resume-setup.js'

const child = useResumeChild('ckpt-tfjs-fitres-')

/** A user callback that interrupts training (throws) at the end of 0-based epoch `at`. */
const interruptAt = (at: number) =>
  new tfl.CustomCallback({
    onEpochEnd: async (epoch) => {
      if (epoch === at) throw new Error(`interrupted after epoch ${epoch + 1}`)
    },
  })

const quiet = { log: () => {} }

describe.each(BACKENDS)('fitResumable on %s', (backend) => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend(backend)
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  it.each(['adam', 'momentum'])(
    `%s: interrupted after ${FIRST_PART} epochs, called again (same process, then a fresh one): bitwise identical to uninterrupted; the backup is deleted at the end`,
    async (name) => {
      const make = optimizerNamed(name)
      const uninterrupted = tinyModel(make())
      const first = tinyModel(make())
      const initial = uninterrupted.getWeights().map((t) => t.clone())
      first.setWeights(initial)

      const plain = memoryStorage()
      const h = await fitResumable(uninterrupted, data.x, data.y, { ...FIT, epochs: TOTAL_EPOCHS }, { storage: plain, ...quiet })
      expect(h.epoch).toEqual([0, 1, 2, 3, 4, 5])
      expect(await plain.list()).toEqual([]) // deleteCheckpoint: true by default, as Keras

      const dir = join(child.root, `${backend}-${name}`)
      const storage = fsStorage(dir, { fsync: false })
      const err = await fitResumable(
        first,
        data.x,
        data.y,
        { ...FIT, epochs: TOTAL_EPOCHS, callbacks: [interruptAt(FIRST_PART - 1)] },
        { storage, ...quiet },
      ).catch((e: unknown) => e)
      expect((err as Error).message).toBe(`interrupted after epoch ${FIRST_PART}`)
      expect(await storage.list()).toContain('backup/model.json') // an interruption keeps the backup
      await cp(dir, `${dir}-child`, { recursive: true })

      // Same process, a new model object built the same way (its own random initial weights).
      const again = tinyModel(make())
      const epochs: number[] = []
      await fitResumable(
        again,
        data.x,
        data.y,
        { ...FIT, epochs: TOTAL_EPOCHS, callbacks: [new tfl.CustomCallback({ onEpochBegin: async (e) => void epochs.push(e) })] },
        { storage, ...quiet },
      )
      expect(epochs).toEqual([3, 4, 5])
      expect(weightBytes(again)).toEqual(weightBytes(uninterrupted))
      expect(await storage.list()).toEqual([])

      // A fresh process.
      const job: ChildJob = { mode: 'fitResumable', optimizer: name, dir: `${dir}-child`, out: `${dir}-child.json` }
      await child.run({ backend, jobs: [job] })
      const expected = Object.fromEntries(
        Object.entries(weightBytes(uninterrupted)).map(([k, b]) => [k, Buffer.from(b).toString('base64')]),
      )
      expect(JSON.parse(await readFile(job.out, 'utf8'))).toEqual(expected)
      tf.dispose(initial)
      for (const m of [uninterrupted, first, again]) m.dispose()
    },
    60_000,
  )

  it('a backup of another optimizer class is refused, and the model is left unchanged', async () => {
    const storage = memoryStorage()
    const adam = tinyModel(tf.train.adam(0.01))
    await fitResumable(adam, data.x, data.y, { ...FIT, epochs: 2, callbacks: [interruptAt(0)] }, { storage, ...quiet }).catch(
      () => undefined,
    )
    const sgd = tinyModel(tf.train.sgd(0.1))
    const before = weightBytes(sgd)
    const err = await fitResumable(sgd, data.x, data.y, { ...FIT, epochs: 2 }, { storage, ...quiet }).catch((e: unknown) => e)
    expect((err as CkptTfjsError).error._tag).toBe('OptimizerMismatch')
    expect((err as Error).message).toMatch(/holds Adam state, but the model's optimizer is SGD/)
    expect(weightBytes(sgd)).toEqual(before)
  })

  it('a backup of a different architecture is refused with the mismatches listed, nothing changed', async () => {
    const storage = memoryStorage()
    await fitResumable(
      tinyModel(tf.train.sgd(0.1)),
      data.x,
      data.y,
      { ...FIT, epochs: 2, callbacks: [interruptAt(0)] },
      { storage, ...quiet },
    ).catch(() => undefined)
    const wider = tinyModel(tf.train.sgd(0.1), 5)
    const before = weightBytes(wider)
    const err = await fitResumable(wider, data.x, data.y, { ...FIT, epochs: 2 }, { storage, ...quiet }).catch((e: unknown) => e)
    expect((err as CkptTfjsError).error._tag).toBe('WeightsMismatch')
    expect((err as Error).message).toMatch(/shape of 'hidden\/kernel': model \[5, 6\], file \[4, 6\]/)
    expect(weightBytes(wider)).toEqual(before)
  })

  it('refuses a backup path that is not a model.json', async () => {
    const err = await fitResumable(
      tinyModel(tf.train.sgd(0.1)),
      data.x,
      data.y,
      { ...FIT, epochs: 1 },
      { storage: memoryStorage(), filepath: 'b.safetensors' },
    ).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/filepath: got "b.safetensors"; expected a path ending in 'model.json'/)
  })
})
