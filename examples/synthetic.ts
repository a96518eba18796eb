import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

/**
 * The demos' task: y = x · w + noise over `n` rows of `features` values in [-1, 1], the same on every run (a
 * fixed-seed generator), so that a resumed run sees the data the interrupted one saw.
 */
export const syntheticRegression = (n: number, features: number, noise: number) => {
  let seed = 42
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1
  const w = Array.from({ length: features }, rand)
  const xs = Array.from({ length: n * features }, rand)
  const ys = Array.from({ length: n }, (_, i) => w.reduce((s, wj, j) => s + wj * xs[i * features + j]!, 0) + noise * rand())
  return { x: tf.tensor2d(xs, [n, features]), y: tf.tensor2d(ys, [n, 1]), features }
}

/** A dense ReLU network with the given hidden `units` and one output, seeded (the same weights on every run), Adam on MSE. */
export const seededMlp = (features: number, units: ReadonlyArray<number>, learningRate: number): tfl.LayersModel => {
  const init = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }) })
  const model = tfl.sequential({
    layers: [
      ...units.map((u, i) =>
        tfl.layers.dense({ ...(i === 0 ? { inputShape: [features] } : {}), units: u, activation: 'relu', ...init(i + 1) }),
      ),
      tfl.layers.dense({ units: 1, ...init(units.length + 1) }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'meanSquaredError' })
  return model
}
