/**
 * A dedicated worker, as pages that train with tfjs run one: each message `epoch` saves that epoch on IndexedDB `run`
 * and answers with the outcome; the Checkpointer is kept, so the writer lock stays held.
 */
import { createCheckpointer, isCkptError } from 'ckpt'
import { indexedDbStorage } from 'ckpt/storage/indexeddb'
import { tensorsOf } from './export-import.js'

const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (e: { readonly data: number }) => void): void
  postMessage(message: unknown): void
  kept?: unknown
}

scope.addEventListener('message', ({ data: epoch }) => {
  const lines: string[] = []
  void (async () => {
    try {
      const c = await createCheckpointer({
        storage: indexedDbStorage('run'),
        filepath: 'ckpt-{epoch:02d}.safetensors',
        monitor: 'loss',
        log: (l) => lines.push(l),
      })
      await c.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsOf(epoch))
      scope.kept = c
      return { saved: true, lines }
    } catch (e) {
      return { saved: false, error: isCkptError(e) ? e._tag : String(e), message: (e as Error).message, lines }
    }
  })().then((r) => scope.postMessage(r))
})
