import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { loadKerasModel, saveKerasModel } from '../../../src/adapters/tfjs/keras/model-file.js'
import { saveKerasWeights } from '../../../src/adapters/tfjs/keras/weights-h5.js'
import { predictAll, type InputSpec } from './functional-archs.js'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { closeKerasSession, openKerasSession, type KerasSession } from './python.js'

/*
 * Models of test/keras/python/model_set.py through ckpt both ways, for the suites that pick a few of them: Keras
 * saves each as `.keras`; ckpt loads it, predicts, trains a step and saves `.keras` and `.weights.h5`; Keras loads
 * both back and predicts; and the weights files' layout (groups, `name` attributes, datasets' shapes) is compared
 * with the one Keras wrote.
 */

/** Issue 15's bound: max |diff| ≤ 1e-4 × max |reference|. */
export const within = (got: unknown, want: unknown): { ok: boolean; diff: number; bound: number; error?: string } => {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])
  const a = flat(got)
  const b = flat(want)
  const bound = 1e-4 * Math.max(...b.map(Math.abs), 1e-30)
  const diff = a.length !== b.length ? Infinity : Math.max(0, ...a.map((x, i) => Math.abs(x - (b[i] as number))))
  return { ok: diff <= bound, diff, bound }
}

/** h5py's view of a weights file: each group's `name` attribute (but the optimizer's) and each dataset's shape, by path. */
const LAYOUT = `
import h5py, zipfile, io
def layout(f):
    out = {}
    def visit(n, o):
        if isinstance(o, h5py.Dataset):
            out[n] = list(o.shape)
        elif "name" in o.attrs and n != "optimizer/vars":  # the optimizer's name is numbered per Python process
            out[n] = str(o.attrs["name"])
    f.visititems(visit)
    return out
with zipfile.ZipFile(request["keras"]) as z:
    keras_file = layout(h5py.File(io.BytesIO(z.read("model.weights.h5")), "r"))
result = {"keras": keras_file, "ckpt": layout(h5py.File(request["ckpt"], "r"))}
`

export interface RoundTrip {
  /** ckpt's predictions against Keras's, on the `.keras` Keras wrote. */
  readonly loaded: ReturnType<typeof within>
  /** Keras's predictions against tfjs's after training, on the `.keras` and the `.weights.h5` ckpt wrote. */
  readonly keras: ReturnType<typeof within>
  readonly weights: ReturnType<typeof within>
  /** The layout of the weights file Keras wrote and of the one ckpt wrote after loading it (`layout`). */
  readonly layouts: { readonly keras: Record<string, unknown>; readonly ckpt: Record<string, unknown> }
}

/**
 * ckpt loads `<name>.keras`, predicts, trains one step towards targets off its predictions (so that every weight
 * moves), and writes `<name>-tfjs.keras` and `<name>-tfjs.weights.h5`: its predictions before and after training.
 */
export const loadTrainSave = async (
  session: KerasSession,
  name: string,
  inputs: ReadonlyArray<InputSpec>,
): Promise<{ readonly loaded: unknown[]; readonly trained: unknown[] }> => {
  const model = (await loadKerasModel(session.storage, `${name}.keras`)).model
  try {
    const loaded = predictAll(model, inputs)
    const xs = inputs.map((i) => tf.tensor(i.data as number[], undefined, i.dtype))
    const ys = loaded.map((y) => tf.tidy(() => tf.add(tf.tensor(y as number[]), 0.5)))
    await model.trainOnBatch(xs.length === 1 ? (xs[0] as tf.Tensor) : xs, ys.length === 1 ? (ys[0] as tf.Tensor) : ys)
    tf.dispose([...xs, ...ys])
    await saveKerasModel(model, session.storage, `${name}-tfjs.keras`)
    await saveKerasWeights(model, session.storage, `${name}-tfjs.weights.h5`)
    return { loaded, trained: predictAll(model, inputs) }
  } finally {
    model.dispose()
  }
}

/** Keras's predictions with the `.keras` ckpt wrote, and with a model built in Python loaded from its `.weights.h5`. */
export const kerasPredictions = (
  session: KerasSession,
  name: string,
  inputs: ReadonlyArray<InputSpec>,
): Promise<{ outputs: unknown[]; weights_outputs: unknown[] }> =>
  session.keras.request('check_model_set', {
    name,
    keras_path: join(session.dir, `${name}-tfjs.keras`),
    weights_path: join(session.dir, `${name}-tfjs.weights.h5`),
    inputs,
  })

/** Each of `names` (model_set.py's MODELS) through ckpt and back, in `session`'s folder. */
export const roundTrips = async (session: KerasSession, names: ReadonlyArray<string>): Promise<Record<string, RoundTrip>> => {
  const generated = (
    await session.keras.request<{ models: Record<string, { inputs: InputSpec[]; outputs: unknown[] }> }>('model_set', {
      dir: session.dir,
      names,
    })
  ).models
  const out: Record<string, RoundTrip> = {}
  for (const name of names) {
    const m = generated[name] as { inputs: InputSpec[]; outputs: unknown[] }
    try {
      const { loaded, trained } = await loadTrainSave(session, name, m.inputs)
      const back = await kerasPredictions(session, name, m.inputs)
      const layouts = await session.keras.request<{ result: RoundTrip['layouts'] }>('script', {
        code: LAYOUT,
        request: { keras: join(session.dir, `${name}.keras`), ckpt: join(session.dir, `${name}-tfjs.weights.h5`) },
      })
      out[name] = {
        loaded: within(loaded, m.outputs),
        keras: within(back.outputs, trained),
        weights: within(back.weights_outputs, trained),
        layouts: layouts.result,
      }
    } catch (e) {
      const failed = { ok: false, diff: Infinity, bound: 0, error: (e as Error).message }
      out[name] = { loaded: failed, keras: failed, weights: failed, layouts: { keras: {}, ckpt: { error: (e as Error).message } } }
    }
  }
  return out
}

/**
 * The tests of {@link roundTrips} for `names`, in a describe block: both directions within issue 15's bound, and the
 * weights file's layout as Keras's. The session (opened before them, in a folder named with `prefix`) is returned.
 */
export const roundTripTests = (names: ReadonlyArray<string>, prefix: string): (() => KerasSession) => {
  let session: KerasSession | undefined
  let results: Record<string, RoundTrip> = {}
  beforeAll(async () => {
    session = await openKerasSession(prefix)
    results = await roundTrips(session, names)
  }, 120_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })
  for (const name of names) {
    it(`${name}: Keras .keras → tfjs with Keras's predictions; trained in tfjs, .keras and .weights.h5 → Keras with tfjs's`, () => {
      const r = results[name] as RoundTrip
      expect(r.loaded.error).toBeUndefined()
      expect(r.loaded).toMatchObject({ ok: true })
      expect(r.keras).toMatchObject({ ok: true })
      expect(r.weights).toMatchObject({ ok: true })
    })
    it(`${name}: ckpt's .weights.h5 has the groups, names and shapes Keras writes`, () => {
      const r = results[name] as RoundTrip
      expect(r.layouts.ckpt).toEqual(r.layouts.keras)
    })
  }
  return () => session as KerasSession
}

/**
 * Python: the `.keras` ckpt wrote for a model built in tfjs, loaded and run; a fresh copy of it (`clone_model`)
 * loaded with the `.weights.h5` ckpt wrote, and run; and the model's layers (nested models' as a tree) with the
 * number of calls of each.
 */
const LOAD_BOTH = `
m = keras.models.load_model(request["keras"])
xs = [np.asarray(i["data"], dtype="float32") for i in request["inputs"]]
def run(model):
    return np.asarray(model(xs if len(xs) > 1 else xs[0], training=False)).astype("float64").tolist()
fresh = keras.models.clone_model(m)
fresh.load_weights(request["weights"])
def tree(model):
    return [[l.name, type(l).__name__, len(l._inbound_nodes), tree(l) if isinstance(l, keras.Model) else None] for l in model.layers]
result = {"keras": run(m), "weights": run(fresh), "tree": tree(m)}
`

/** A tfjs model saved by ckpt (`.keras`, and `.weights.h5` without optimizer) as Keras loads it: {@link LOAD_BOTH}. */
export const tfjsModelInKeras = async (
  session: KerasSession,
  model: tfl.LayersModel,
  name: string,
  inputs: ReadonlyArray<InputSpec>,
): Promise<{ keras: unknown; weights: unknown; tree: unknown[] }> => {
  await saveKerasModel(model, session.storage, `${name}.keras`)
  await saveKerasWeights(model, session.storage, `${name}.weights.h5`, { includeOptimizer: false })
  const got = await session.keras.request<{ result: { keras: unknown; weights: unknown; tree: unknown[] } }>('script', {
    code: LOAD_BOTH,
    request: { keras: join(session.dir, `${name}.keras`), weights: join(session.dir, `${name}.weights.h5`), inputs },
  })
  return got.result
}
