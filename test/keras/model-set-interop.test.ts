import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import type * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import { predictAll, type InputSpec } from './support/functional-archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasSession } from './support/python.js'

/*
 * Issue 15's suite against Python Keras: Python builds the model set (test/keras/python/model_set.py) with fixed
 * seeds, at test time, and saves each as `.keras`. ckpt loads each into tfjs and predicts (keras→tfjs), trains
 * one step in tfjs, writes `.keras` and `.weights.h5`, and Python loads both back with tfjs's predictions
 * (tfjs→keras). Each direction prints N/N. The models come from Python's list: adding one there adds it here.
 */

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/model-set-interop: skipped: ${skipReason}`)

/** Issue 15's bound: max |diff| ≤ 1e-4 × max |reference|. */
const within = (got: unknown, want: unknown): { ok: boolean; diff: number; bound: number } => {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])
  const a = flat(got)
  const b = flat(want)
  const bound = 1e-4 * Math.max(...b.map(Math.abs), 1e-30)
  const diff = a.length !== b.length ? Infinity : Math.max(0, ...a.map((x, i) => Math.abs(x - (b[i] as number))))
  return { ok: diff <= bound, diff, bound }
}

/**
 * `name 1.2 s (diff 3% of bound)`: a model's time in one direction, printed so that CI's budget can be watched per
 * model, and how close its largest difference came to the bound.
 */
const seconds = (name: string, started: number, ratio?: number): string =>
  `${name} ${((Date.now() - started) / 1000).toFixed(1)} s${ratio === undefined ? '' : ` (diff ${(100 * ratio).toFixed(1)}% of bound)`}`

interface Generated {
  readonly path: string
  readonly inputs: ReadonlyArray<InputSpec>
  readonly outputs: unknown[]
  readonly bytes: number
  /** Python's time to build, randomize, save and predict it. */
  readonly seconds: number
}

describe.skipIf(skipReason !== null)('the model set against Python Keras 3 (issue 15)', () => {
  let session: KerasSession
  let models: Record<string, Generated> = {}
  /** What tfjs predicted after its training step, per model that got that far. */
  const trained = new Map<string, unknown[]>()

  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-set-')
    const started = Date.now()
    models = (await session.keras.request<{ models: Record<string, Generated> }>('model_set', { dir: session.dir })).models
    const mb = Object.values(models).reduce((s, m) => s + m.bytes, 0) / 2 ** 20
    console.log(
      `model set: ${Object.keys(models).length} models, ${mb.toFixed(2)} MB, generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    )
    const each = Object.entries(models).map(([name, m]) => `${name} ${m.seconds.toFixed(1)} s`)
    console.log(`  per model: ${each.join(', ')}`)
  }, 600_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  it('keras→tfjs: ckpt loads every .keras Keras wrote, with Keras predictions, and trains it a step', async () => {
    const failures: string[] = []
    const times: string[] = []
    for (const [name, m] of Object.entries(models)) {
      let model: tfl.LayersModel | undefined
      const started = Date.now()
      let ratio: number | undefined
      try {
        model = (await loadKerasModel(session.storage, `${name}.keras`)).model
        const got = predictAll(model, m.inputs)
        const w = within(got, m.outputs)
        if (!w.ok) throw new Error(`max |diff| ${w.diff} > ${w.bound}`)
        ratio = w.diff / w.bound
        // One step towards targets off the predictions, so that every weight moves.
        const xs = m.inputs.map((i) => tf.tensor(i.data as number[], undefined, i.dtype))
        const ys = got.map((y) => tf.tidy(() => tf.add(tf.tensor(y as number[]), 0.5)))
        await model.trainOnBatch(xs.length === 1 ? (xs[0] as tf.Tensor) : xs, ys.length === 1 ? (ys[0] as tf.Tensor) : ys)
        tf.dispose([...xs, ...ys])
        await saveKerasModel(model, session.storage, `${name}-tfjs.keras`)
        await saveKerasWeights(model, session.storage, `${name}-tfjs.weights.h5`)
        trained.set(name, predictAll(model, m.inputs))
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`)
      } finally {
        model?.dispose()
        times.push(seconds(name, started, ratio))
      }
    }
    const n = Object.keys(models).length
    console.log(`keras→tfjs ${n - failures.length}/${n}${failures.length > 0 ? `\n  ${failures.join('\n  ')}` : ''}`)
    console.log(`  per model: ${times.join(', ')}`)
    expect(failures).toEqual([])
  }, 600_000)

  it('tfjs→keras: Python loads every .keras and .weights.h5 ckpt wrote after training, with tfjs predictions', async () => {
    const failures: string[] = []
    const times: string[] = []
    for (const [name, m] of Object.entries(models)) {
      const expected = trained.get(name)
      if (expected === undefined) {
        failures.push(`${name}: not loaded in tfjs`)
        continue
      }
      const started = Date.now()
      let ratio: number | undefined
      try {
        const got = await session.keras.request<{ outputs: unknown[]; weights_outputs: unknown[] }>('check_model_set', {
          name,
          keras_path: join(session.dir, `${name}-tfjs.keras`),
          weights_path: join(session.dir, `${name}-tfjs.weights.h5`),
          inputs: m.inputs,
        })
        const k = within(got.outputs, expected)
        const w = within(got.weights_outputs, expected)
        if (!k.ok) throw new Error(`.keras: max |diff| ${k.diff} > ${k.bound}`)
        if (!w.ok) throw new Error(`.weights.h5: max |diff| ${w.diff} > ${w.bound}`)
        ratio = Math.max(k.diff / k.bound, w.diff / w.bound)
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`)
      }
      times.push(seconds(name, started, ratio))
    }
    const n = Object.keys(models).length
    console.log(`tfjs→keras ${n - failures.length}/${n}${failures.length > 0 ? `\n  ${failures.join('\n  ')}` : ''}`)
    console.log(`  per model: ${times.join(', ')}`)
    expect(failures).toEqual([])
  }, 600_000)
})
