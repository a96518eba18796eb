/**
 * A page that trains a small tfjs model with `modelCheckpoint` on a browser storage and resumes it with
 * `restoreLatest`, driven from the Node side through `globalThis.ckptTfjs`. Weights come back as base64 bytes, so
 * the tests compare them exactly.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { modelCheckpoint, restoreLatest, useBackend } from 'ckpt/tfjs'
import { indexedDbStorage } from 'ckpt/storage/indexeddb'
import { opfsStorage } from 'ckpt/storage/opfs'
import type { Storage } from 'ckpt/storage'

export type PageBackend = 'wasm' | 'cpu' | 'webgl'
export type PageStorage = 'indexeddb' | 'opfs'

/** Where the page serves tfjs's wasm binaries (the tests map them from node_modules). */
export const WASM_PATH = '/wasm/'

const storageOf = (kind: PageStorage, name: string): Storage => (kind === 'indexeddb' ? indexedDbStorage(name) : opfsStorage(name))

/** Activates `backend`; for webgl, why it cannot run here (the test prints it and skips). */
const activate = async (backend: PageBackend): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }> => {
  if (backend !== 'webgl') {
    await useBackend(backend, backend === 'wasm' ? { wasmPaths: WASM_PATH } : {})
    return { ok: true }
  }
  // ckpt's useBackend covers wasm and cpu; webgl is the user's own: registered by its package, set by tfjs.
  await import('@tensorflow/tfjs-backend-webgl')
  // The Node program's types have no DOM: the canvas is typed here.
  const canvas = () => (globalThis as unknown as { document: { createElement(t: 'canvas'): { getContext(c: string): unknown } } }).document
  const gl = canvas().createElement('canvas').getContext('webgl2') ?? canvas().createElement('canvas').getContext('webgl')
  if (gl === null) return { ok: false, reason: 'this Chromium gives no WebGL context (no GPU, and no software WebGL enabled)' }
  if (!(await tf.setBackend('webgl')) || tf.getBackend() !== 'webgl')
    return { ok: false, reason: `tf.setBackend('webgl') failed (tf.getBackend() is ${tf.getBackend()})` }
  return { ok: true }
}

/** y = x · w + noise, the same on every launch (a fixed-seed generator). */
const dataset = () => {
  let seed = 7
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1
  const [n, features] = [192, 8]
  const w = Array.from({ length: features }, rand)
  const xs = Array.from({ length: n * features }, rand)
  const ys = Array.from({ length: n }, (_, i) => w.reduce((s, wj, j) => s + wj * xs[i * features + j]!, 0) + 0.2 * rand())
  return { x: tf.tensor2d(xs, [n, features]), y: tf.tensor2d(ys, [n, 1]) }
}

/** The same initial weights on every launch and backend (seeded initializers), and the same names (named layers). */
const freshModel = (): tfl.LayersModel => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        name: 'hidden',
        inputShape: [8],
        units: 16,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.dense({ name: 'out', units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
  return model
}

const base64 = (bytes: Uint8Array): string => {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

/** The model's weights as their exact bytes, by name (read back from the backend: a webgl texture too). */
const weightBytes = async (model: tfl.LayersModel): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const v of model.weights) {
    const data = (await v.read().data()) as Float32Array
    out[v.originalName] = base64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  }
  return out
}

const FIT = { batchSize: 32, shuffle: false, validationSplit: 0.25, verbose: 0 } as const

const options = (storage: Storage) => ({
  storage,
  filepath: 'epoch_{epoch:02d}/model.json',
  monitor: 'val_loss',
  maxToKeep: 2,
  log: () => {},
})

export interface Trained {
  /** The weights after the last epoch run. */
  readonly weights: Record<string, string>
  /** The weights after each epoch (0-based), as the checkpoint of that epoch holds them. */
  readonly perEpoch: ReadonlyArray<Record<string, string>>
  readonly backend: string
}

/** Trains a fresh model for epochs [0, `until`), checkpointing each epoch to `storage` (when given). */
const train = async (backend: PageBackend, until: number, storage?: { kind: PageStorage; name: string }): Promise<Trained> => {
  const ready = await activate(backend)
  if (!ready.ok) throw new Error(ready.reason)
  const model = freshModel()
  const { x, y } = dataset()
  const perEpoch: Array<Record<string, string>> = []
  // modelCheckpoint first: tfjs hands the model to the callbacks only when the first is a tf.Callback.
  const callbacks = [
    ...(storage === undefined ? [] : [modelCheckpoint(options(storageOf(storage.kind, storage.name)))]),
    new tfl.CustomCallback({ onEpochEnd: async () => void perEpoch.push(await weightBytes(model)) }),
  ]
  await model.fit(x, y, { ...FIT, epochs: until, callbacks })
  const weights = await weightBytes(model)
  tf.dispose([x, y])
  model.dispose()
  return { weights, perEpoch, backend: tf.getBackend() }
}

export interface Resumed {
  readonly restoredPath: string
  readonly initialEpoch: number
  /** The restored model's weights, before any training. */
  readonly restored: Record<string, string>
  /** The weights after training on to `epochs`. */
  readonly weights: Record<string, string>
  readonly backend: string
}

/** `restoreLatest` from `storage`, then trains on to `epochs` with the same checkpointing. */
const resume = async (backend: PageBackend, epochs: number, storage: { kind: PageStorage; name: string }): Promise<Resumed> => {
  const ready = await activate(backend)
  if (!ready.ok) throw new Error(ready.reason)
  const store = storageOf(storage.kind, storage.name)
  const r = await restoreLatest(store)
  if (r === null) throw new Error(`nothing to restore in ${storage.kind} "${storage.name}"`)
  const restored = await weightBytes(r.model)
  const { x, y } = dataset()
  await r.model.fit(x, y, { ...FIT, epochs, initialEpoch: r.initialEpoch, callbacks: [modelCheckpoint(options(store))] })
  const weights = await weightBytes(r.model)
  tf.dispose([x, y])
  r.model.dispose()
  return { restoredPath: r.entry.path, initialEpoch: r.initialEpoch, restored, weights, backend: tf.getBackend() }
}

export const page = { activate, train, resume }
export type TfjsPage = typeof page

;(globalThis as { ckptTfjs?: TfjsPage }).ckptTfjs = page
