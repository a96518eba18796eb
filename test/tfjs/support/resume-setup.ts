import * as tf from '@tensorflow/tfjs-core'
import type { ModelCheckpointOptions } from '../../../src/adapters/tfjs/callback.js'
import type { Storage } from '../../../src/storage/storage.js'

/** Shared by the exact-resume tests and their child process: optimizers, fit arguments, checkpoint options. */

export const RESUME_OPTIMIZERS: ReadonlyArray<readonly [string, () => tf.Optimizer]> = [
  ['sgd', () => tf.train.sgd(0.05)],
  ['momentum', () => tf.train.momentum(0.02, 0.8)],
  ['adam', () => tf.train.adam(0.02, 0.85, 0.99)],
  ['rmsprop', () => tf.train.rmsprop(0.01, 0.8, 0.1)],
  ['adagrad', () => tf.train.adagrad(0.1, 0.2)],
]

export const optimizerNamed = (name: string): (() => tf.Optimizer) => {
  const hit = RESUME_OPTIMIZERS.find(([n]) => n === name)
  if (hit === undefined) throw new Error(`unknown optimizer ${name}`)
  return hit[1]
}

/** 24 samples, batches of 8 (3 per epoch), no shuffling: training is deterministic. */
export const FIT = { batchSize: 8, shuffle: false, verbose: 0 } as const
export const TOTAL_EPOCHS = 6
export const FIRST_PART = 3

/**
 * Best-only on the training loss, top-2 retention, background writes, metrics in the path: so that the kept
 * files depend on the best value and the counters carried over.
 */
export const checkpointOptions = (storage: Storage): ModelCheckpointOptions => ({
  storage,
  filepath: 'ckpt/epoch_{epoch:02d}-loss_{loss:.6f}/model.json',
  monitor: 'loss',
  saveBestOnly: true,
  saveTopK: 2,
  async: true,
  log: () => {},
})

/** A key listing with the per-save random token of weight file names masked. */
export const maskTokens = (keys: ReadonlyArray<string>): string[] => keys.map((k) => k.replace(/\.[0-9a-f]{12}\.bin$/, '.<token>.bin'))
