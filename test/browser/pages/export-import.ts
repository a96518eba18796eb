/**
 * A page with ckpt's checkpointer, archive export/import and the browser storages on `globalThis.ckpt`, and the tensors
 * and kept save the export and writer-lock tests share (the lock tests' worker imports them too).
 */
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

/** One save's outcome, as a page or worker reports it back to the test. */
export interface SaveOutcome {
  readonly saved: boolean
  readonly error?: string
  readonly message?: string
  readonly lines: string[]
}

/**
 * Saves epoch `epoch` on IndexedDB `run` (the writer lock taken first) and keeps the Checkpointer on `globalThis`, as
 * training that goes on would: its writer lock stays held.
 */
export const saveKept = async (epoch: number): Promise<SaveOutcome> => {
  const lines: string[] = []
  try {
    const c = await createCheckpointer({
      storage: indexedDbStorage('run'),
      filepath: 'ckpt-{epoch:02d}.safetensors',
      monitor: 'loss',
      log: (l) => lines.push(l),
    })
    await c.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsOf(epoch))
    ;(globalThis as { kept?: unknown }).kept = c
    return { saved: true, lines }
  } catch (e) {
    return { saved: false, error: isCkptError(e) ? e._tag : String(e), message: (e as Error).message, lines }
  }
}

export type TestPageApi = PageApi & { readonly tensorsOf: typeof tensorsOf; readonly saveKept: typeof saveKept }
;(globalThis as { ckpt?: TestPageApi }).ckpt = { ...pageApi, tensorsOf, saveKept }
