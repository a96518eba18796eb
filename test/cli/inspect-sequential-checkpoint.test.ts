import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { fsStorage } from '../../src/storage/fs.js'
import { dataset } from '../tfjs/support/fixtures.js'
import { spawnCli, tempDir } from './support.js'

/**
 * `Sequential.fit` hands modelCheckpoint its inner functional model (`regressor_model`); the `model.json` it
 * writes describes the Sequential, and `ckpt inspect` (a real process) says so.
 */

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('ckpt inspect on a model.json checkpoint of a tf.Sequential trained with modelCheckpoint', () => {
  beforeAll(async () => {
    await useBackend('cpu')
    const model = tfl.sequential({
      name: 'regressor',
      layers: [tfl.layers.dense({ units: 5, activation: 'relu', inputShape: [4] }), tfl.layers.dense({ units: 1 })],
    })
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' })
    const { x, y } = dataset()
    await model.fit(x, y, {
      epochs: 1,
      batchSize: 8,
      verbose: 0,
      callbacks: [modelCheckpoint({ storage: fsStorage(tmp.dir, { fsync: false }), filepath: 'e{epoch}/model.json', log: () => {} })],
    })
    tf.dispose([x, y])
  })

  it('names it Sequential "regressor" with its two Dense layers', async () => {
    const r = await spawnCli(['inspect', join(tmp.dir, 'e1', 'model.json')])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/tfjs layers-model \(TensorFlow\.js tfjs-layers v[\d.]+\), Sequential "regressor" 2 layers \(Dense, Dense\)/)
    expect(r.stdout).not.toContain('regressor_model')
  }, 60_000)
})
