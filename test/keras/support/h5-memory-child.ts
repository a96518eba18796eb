/**
 * `save DIR LAYERS UNITS` or `load DIR LAYERS UNITS`, in a child of its own (`node --expose-gc --import tsx`): a tfjs
 * Sequential of LAYERS Dense(UNITS) layers on input UNITS saved to (or loaded from) DIR/model.weights.h5 by
 * saveKerasWeights / loadKerasWeights. Prints one JSON line: the RSS of the runtime alone
 * (before the model exists), the model's weight bytes, and the operation's time and peak RSS (see peak.ts); a load
 * also reports whether sampled weights hold the file's values (`load` expects a file whose kernels hold 1/(1 + i)
 * in layer i and biases 0, as `save` writes after setting them).
 */
import { readFileSync } from 'node:fs'
import * as tfl from '@tensorflow/tfjs-layers'
import { useBackend } from '../../../src/adapters/tfjs/backend.js'
import { loadKerasWeights, saveKerasWeights } from '../../../src/adapters/tfjs/index.js'
import { fsStorage } from '../../../src/storage/fs.js'
import { measure } from '../../hostile/support/peak.js'

const [op, dir, layersArg, unitsArg] = process.argv.slice(2)
const layers = Number(layersArg)
const units = Number(unitsArg)
await useBackend('cpu')

const rss = (): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024
;(globalThis as { gc?: () => void }).gc?.()
const runtimeBytes = rss()

const kernelValue = (layer: number): number => Math.fround(1 / (1 + layer))

// The weights are made with their values (no garbage before the measure): the file's for a save, ones for a load.
const model = tfl.sequential({
  layers: Array.from({ length: layers }, (_, i) =>
    tfl.layers.dense({
      units,
      inputShape: i === 0 ? [units] : undefined,
      kernelInitializer: tfl.initializers.constant({ value: op === 'save' ? kernelValue(i) : 1 }),
      biasInitializer: op === 'save' ? 'zeros' : 'ones',
    }),
  ),
})
const modelBytes = model.weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1) * 4, 0)
const storage = fsStorage(dir!)

const save = () => measure(() => saveKerasWeights(model, storage, 'model.weights.h5', { includeOptimizer: false }))

const load = async () => {
  const m = await measure(() => loadKerasWeights(model, storage, 'model.weights.h5'))
  const wrong: string[] = []
  model.weights.forEach((w, k) => {
    const values = w.read().dataSync()
    const expected = k % 2 === 0 ? kernelValue(k / 2) : 0
    for (const i of [0, values.length >> 1, values.length - 1])
      if (values[i] !== expected) wrong.push(`${w.name}[${i}] = ${values[i]}, expected ${expected}`)
  })
  return { ...m, wrong }
}

const m = op === 'save' ? await save() : await load()
process.stdout.write(`${JSON.stringify({ runtimeBytes, modelBytes, ...m, value: undefined })}\n`)
