import { restoreLatest } from '../../../src/adapters/tfjs/restore.js'
import { loadModel } from '../../../src/adapters/tfjs/model.js'
import { loadKerasModel } from '../../../src/adapters/tfjs/keras.js'
import { useBackend } from '../../../src/adapters/tfjs/backend.js'
import { loadH5 } from '../../../src/keras/h5.js'
import { fsStorage } from '../../../src/storage/fs.js'
import { basename, dirname } from 'node:path'
import type { Read } from './readers.js'

/** The readers that load TensorFlow.js (on its cpu backend), by the names `readersOf` uses. */
export const tfjsReaders: Readonly<Record<string, Read>> = {
  'tfjs restoreLatest': async (dir) => {
    const r = await restoreLatest(fsStorage(dir), { log: () => undefined })
    return r === null ? 'nothing to restore' : `restored, initialEpoch ${r.initialEpoch}`
  },
  'tfjs loadKerasModel': async (path) => {
    const r = await loadKerasModel(fsStorage(dirname(path)), basename(path))
    return `keras model of ${r.model.layers.length} layers`
  },
  'tfjs loadModel': async (path) => {
    const model = await loadModel(fsStorage(dirname(path)), basename(path))
    return `model of ${model.layers.length} layers`
  },
}

export const warmUpTfjs = async (): Promise<void> => {
  await useBackend('cpu')
  await loadH5()
}
