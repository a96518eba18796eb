import '@tensorflow/tfjs-backend-cpu'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InputSpec } from './support/functional-archs.js'
import { kerasPredictions, loadTrainSave, within } from './support/model-set-roundtrip.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasSession } from './support/python.js'

/*
 * Issue 15's suite against Python Keras: Python builds the model set (test/keras/python/model_set.py) with fixed
 * seeds, at test time, and saves each as `.keras`. ckpt loads each into tfjs and predicts (keras→tfjs), trains
 * one step in tfjs, writes `.keras` and `.weights.h5`, and Python loads both back with tfjs's predictions
 * (tfjs→keras). Each direction prints N/N. The models come from Python's list: adding one there adds it here.
 */

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/model-set-interop: skipped: ${skipReason}`)

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
  }, 600_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  it('keras→tfjs: ckpt loads every .keras Keras wrote, with Keras predictions, and trains it a step', async () => {
    const failures: string[] = []
    const times: string[] = []
    for (const [name, m] of Object.entries(models)) {
      const started = Date.now()
      let ratio: number | undefined
      try {
        const { loaded, trained: after } = await loadTrainSave(session, name, m.inputs)
        const w = within(loaded, m.outputs)
        if (!w.ok) throw new Error(`max |diff| ${w.diff} > ${w.bound}`)
        ratio = w.diff / w.bound
        trained.set(name, after)
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`)
      }
      times.push(seconds(name, started, ratio))
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
        const got = await kerasPredictions(session, name, m.inputs)
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
