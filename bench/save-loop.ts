/** One save loop for both sides of the browser bench (bench/browser-saves.ts): the same code in Node and in Chromium. */
import { createCheckpointer } from '../src/checkpointer/index.js'
import type { Storage } from '../src/storage/storage.js'
import type { Tensors } from '../src/tensors/index.js'
import { floatTensors } from './harness.js'

export const MB = 1024 * 1024

/** The two models of issue 13's target: about 3.5 MB and 64 MB of float32 weights, in 4 tensors each. */
export const MODELS = [
  { name: '3.5 MB', bytes: 3.5 * MB },
  { name: '64 MB', bytes: 64 * MB },
] as const

export const modelTensors = (bytes: number): Tensors => floatTensors(4, bytes / 4, (i) => `dense_${i}/kernel`)

/**
 * A Checkpointer on `storage` that keeps one checkpoint, saving `tensors` at each call; `save()` resolves to the
 * wall time (ms) of one save (safetensors encoding, block checksums, the commit and the index write). Retention's
 * deletion of the previous checkpoint is waited for after it, untimed.
 */
export const saver = async (storage: Storage, tensors: Tensors) => {
  const ckpt = await createCheckpointer<Tensors, Tensors>({
    storage,
    filepath: 'e{epoch}.safetensors',
    monitor: 'loss',
    maxToKeep: 1,
    immutableSnapshots: true,
    log: () => {},
  })
  let epoch = 0
  return {
    save: async (): Promise<number> => {
      const t0 = performance.now()
      await ckpt.onEpochEnd({ epoch: epoch++, logs: { loss: 1 } }, tensors)
      const t = performance.now() - t0
      await ckpt.flush()
      return t
    },
    close: () => ckpt.releaseWriterLock(),
  }
}
