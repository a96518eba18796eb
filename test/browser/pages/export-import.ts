/** A page with ckpt's checkpointer, archive export/import and the browser storages on `globalThis.ckpt`. */
import { createCheckpointer, exportRun, importCheckpoints, isCkptError, type Tensors } from 'ckpt'
import { indexedDbStorage } from 'ckpt/storage/indexeddb'
import { memoryStorage } from 'ckpt/storage/memory'
import { opfsStorage } from 'ckpt/storage/opfs'

export const pageApi = { createCheckpointer, exportRun, importCheckpoints, isCkptError, indexedDbStorage, memoryStorage, opfsStorage }
export type PageApi = typeof pageApi

/** Epoch `epoch`'s tensors, the same on both sides: a kernel of 300,000 float32 (over 1 MiB: block checksums) and a bias. */
export const tensorsOf = (epoch: number): Tensors => ({
  'dense/kernel': {
    dtype: 'F32',
    shape: [600, 500],
    data: Float32Array.from({ length: 300_000 }, (_, i) => Math.fround(Math.sin(i * 0.001 + epoch))),
  },
  'dense/bias': { dtype: 'F32', shape: [3], data: Float32Array.of(epoch, epoch + 0.5, -epoch) },
})

;(globalThis as { ckpt?: PageApi & { tensorsOf: typeof tensorsOf } }).ckpt = { ...pageApi, tensorsOf }
