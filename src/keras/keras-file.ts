import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import type { Storage } from '../storage/storage.js'
import { LOSSES, kerasLayerOrder, kerasToTfjsConfig, tfjsLoss, tfjsToKerasConfig } from './config.js'
import { orThrow, raise, type KerasFormatError } from './errors.js'
import { decodeWeightsH5, encodeWeightsH5 } from './h5.js'
import { applyKerasWeightsFile, kerasWeightsFile, type OptimizerOutcome } from './tfjs-weights.js'
import { tensorSpecsOf, toKerasOrder, toTfjsOrder } from './layer-order.js'
import { storageStep } from './tfjs.js'
import { decodeZip, encodeZip } from './zip.js'

/** The Keras version whose `.keras` layout ckpt writes (and checks its files against). */
export const KERAS_FORMAT_VERSION = '3.15.1'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Keras 3 `compile_config` for the model's optimizer and loss, or null when either has no exact Keras twin. */
const compileConfig = (model: tfl.LayersModel): Obj | null => {
  const opt = model.optimizer as tf.Optimizer | undefined
  const loss = (model as unknown as { loss?: unknown }).loss
  const kerasLoss = typeof loss === 'string' ? LOSSES[loss] : undefined
  if (opt == null || kerasLoss === undefined) return null
  const o = opt as unknown as Record<string, number | boolean | undefined>
  const common = { learning_rate: o['learningRate'], weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false }
  let optimizer: Obj
  switch (opt.getClassName()) {
    case 'Adam':
      optimizer = { class_name: 'Adam', config: { ...common, beta_1: o['beta1'], beta_2: o['beta2'], epsilon: o['epsilon'], amsgrad: false } }
      break
    case 'SGD':
      optimizer = { class_name: 'SGD', config: { ...common, momentum: 0, nesterov: false } }
      break
    case 'Momentum':
      optimizer = { class_name: 'SGD', config: { ...common, momentum: o['momentum'], nesterov: o['useNesterov'] ?? false } }
      break
    case 'RMSProp':
      optimizer = { class_name: 'RMSprop', config: { ...common, rho: o['decay'], momentum: o['momentum'], epsilon: o['epsilon'], centered: o['centered'] } }
      break
    default:
      return null
  }
  return { optimizer: { module: 'keras.optimizers', ...optimizer, registered_name: null }, loss: kerasLoss, loss_weights: null, metrics: null, weighted_metrics: null, run_eagerly: false, steps_per_execution: 1, jit_compile: false }
}

/** The tfjs optimizer for a Keras `compile_config.optimizer`, or the reason there is none. */
const tfjsOptimizer = (spec: unknown): E.Either<string, tf.Optimizer> => {
  if (!isObj(spec) || !isObj(spec['config'])) return E.left('the file has no optimizer config')
  const c = spec['config']
  const num = (k: string, d: number): number => (typeof c[k] === 'number' ? (c[k] as number) : d)
  for (const k of ['weight_decay', 'clipnorm', 'global_clipnorm', 'clipvalue', 'loss_scale_factor', 'gradient_accumulation_steps']) {
    if (c[k] != null) return E.left(`Keras ${String(spec['class_name'])} uses ${k}=${JSON.stringify(c[k])}, which tfjs optimizers do not implement`)
  }
  if (c['use_ema'] === true) return E.left(`Keras ${String(spec['class_name'])} uses use_ema=true, which tfjs optimizers do not implement`)
  if (typeof c['learning_rate'] !== 'number') return E.left('the learning rate is a schedule, which tfjs optimizers do not take')
  const lr = c['learning_rate'] as number
  switch (spec['class_name']) {
    case 'Adam':
      if (c['amsgrad'] === true) return E.left('Keras Adam uses amsgrad=true, which tfjs Adam does not implement')
      return E.right(tf.train.adam(lr, num('beta_1', 0.9), num('beta_2', 0.999), num('epsilon', 1e-7)))
    case 'SGD':
      return num('momentum', 0) > 0 ? E.right(tf.train.momentum(lr, num('momentum', 0), c['nesterov'] === true)) : E.right(tf.train.sgd(lr))
    case 'RMSprop':
      return E.right(tf.train.rmsprop(lr, num('rho', 0.9), num('momentum', 0), num('epsilon', 1e-7), c['centered'] === true))
    default:
      return E.left(`Keras optimizer ${String(spec['class_name'])} has no tfjs equivalent with the same state; supported: Adam, SGD, RMSprop`)
  }
}

const invalid = (path: string, message: string): KerasFormatError => ({ _tag: 'InvalidKerasArchive', path, message: `ckpt/keras: '${path}' is not a .keras file ckpt can read: ${message}` })

/** Keras's rule for whole-model paths, reworded for ckpt. */
export const checkKerasPath = (path: string): void => {
  if (!path.endsWith('.keras')) raise({ _tag: 'InvalidPath', path, message: `ckpt/keras: a whole-model Keras file must end in '.keras'. Received: path='${path}'` })
}

/** The bytes of a `.keras` archive for a tfjs Sequential or Functional model: metadata.json, config.json, model.weights.h5. */
export const encodeKerasModel = async (model: tfl.LayersModel, date: Date = new Date()): Promise<E.Either<KerasFormatError, Uint8Array>> => {
  const config = tfjsToKerasConfig(model.toJSON(null, false), tensorSpecsOf(model))
  if (E.isLeft(config)) return config
  const order = kerasLayerOrder(config.right)
  if (E.isLeft(order)) return order
  const compile = compileConfig(model)
  const written = await kerasWeightsFile(model, { includeOptimizer: compile !== null })
  if (E.isLeft(written)) return written
  const weights = toKerasOrder(written.right, model, order.right)
  if (E.isLeft(weights)) return weights
  const h5 = await encodeWeightsH5(weights.right)
  if (E.isLeft(h5)) return h5
  const pad = (n: number): string => String(n).padStart(2, '0')
  const stamp = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}@${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  const text = new TextEncoder()
  const zip = encodeZip([
    { name: 'metadata.json', data: text.encode(JSON.stringify({ keras_version: KERAS_FORMAT_VERSION, date_saved: stamp, saved_by: 'ckpt' })) },
    { name: 'config.json', data: text.encode(JSON.stringify({ ...config.right, compile_config: compile })) },
    { name: 'model.weights.h5', data: h5.right },
  ])
  return E.isLeft(zip) ? E.left(invalid('(new archive)', zip.left.message)) : zip
}

/**
 * Writes the model as a Keras 3 `.keras` file that Python loads with `keras.models.load_model(path)`.
 * The optimizer and loss go into `compile_config` (with the optimizer state) when both have an exact Keras
 * twin (Adam, SGD, Momentum → SGD(momentum), RMSProp; losses in `LOSSES`); otherwise the file has no
 * compile config and Keras loads the model uncompiled.
 */
export const saveKerasModel = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<void> => {
  checkKerasPath(path)
  const bytes = orThrow(await encodeKerasModel(model))
  await storageStep(path, 'writing', () => storage.write(path, bytes))
}

export interface LoadedKerasModel {
  readonly model: tfl.LayersModel
  /** What happened to the optimizer: loaded with its state, skipped (and why), or none in the file. */
  readonly optimizer: OptimizerOutcome
}

/** A tfjs model from `.keras` bytes; see {@link loadKerasModel}. */
export const decodeKerasModel = async (bytes: Uint8Array, label: string): Promise<E.Either<KerasFormatError, LoadedKerasModel>> => {
  const entries = decodeZip(bytes)
  if (E.isLeft(entries)) return E.left(invalid(label, entries.left.message))
  const byName = new Map(entries.right.map((e) => [e.name, e.data]))
  const configBytes = byName.get('config.json')
  const h5 = byName.get('model.weights.h5')
  if (configBytes === undefined || h5 === undefined) return E.left(invalid(label, `expected config.json and model.weights.h5, found ${[...byName.keys()].join(', ')}`))
  let config: unknown
  try {
    config = JSON.parse(new TextDecoder().decode(configBytes))
  } catch (e) {
    return E.left(invalid(label, `config.json is not JSON (${e instanceof Error ? e.message : String(e)})`))
  }
  const topology = kerasToTfjsConfig(config)
  if (E.isLeft(topology)) return topology
  const order = kerasLayerOrder(config)
  if (E.isLeft(order)) return order
  const decoded = await decodeWeightsH5(h5, `${label}/model.weights.h5`)
  if (E.isLeft(decoded)) return decoded
  // tfjs's Orthogonal initializer needs chained ops that tfjs-core does not register in Node; every weight is
  // overwritten from the file, so the model is built with Zeros in its place.
  const built = JSON.parse(JSON.stringify(topology.right).replaceAll('"class_name":"Orthogonal"', '"class_name":"Zeros"')) as object
  const model = await tfl.models.modelFromJSON({ modelTopology: built } as unknown as Parameters<typeof tfl.models.modelFromJSON>[0])
  const compile = isObj(config) && isObj(config['compile_config']) ? config['compile_config'] : null
  let skipped: string | null = null
  if (compile !== null) {
    const optimizer = tfjsOptimizer(compile['optimizer'])
    const loss = tfjsLoss(compile['loss'])
    if (E.isLeft(optimizer)) skipped = optimizer.left
    else if (loss === null) skipped = `the loss ${JSON.stringify(compile['loss'])} has no tfjs equivalent in ckpt (${Object.keys(LOSSES).join(', ')})`
    else model.compile({ optimizer: optimizer.right, loss })
  }
  try {
    const weights = toTfjsOrder(decoded.right, model, order.right, label)
    if (E.isLeft(weights)) {
      model.dispose()
      return weights
    }
    const outcome = await applyKerasWeightsFile(model, weights.right, label)
    if (skipped !== null) {
      const name = isObj(compile?.['optimizer']) ? String((compile['optimizer'] as Obj)['class_name']) : '(none)'
      return E.right({ model, optimizer: { _tag: 'OptimizerSkipped', optimizer: name, reason: `the model was loaded uncompiled: ${skipped}` } })
    }
    return E.right({ model, optimizer: compile === null ? { _tag: 'NoOptimizerState', reason: `'${label}' has no compile config` } : outcome })
  } catch (e) {
    model.dispose()
    throw e
  }
}

/**
 * Loads a Keras 3 `.keras` file (Sequential or Functional models of the supported layers) as a tfjs model, compiled with
 * the file's optimizer and loss (with its state) where tfjs has exact equivalents; otherwise uncompiled,
 * and the result says why.
 */
export const loadKerasModel = async (storage: Storage, path: string): Promise<LoadedKerasModel> => {
  checkKerasPath(path)
  const bytes = await storageStep(path, 'reading', () => storage.read(path))
  return orThrow(await decodeKerasModel(bytes, path))
}
