/**
 * A dedicated worker, as pages that train with tfjs run one: each message `epoch` saves that epoch on IndexedDB `run`
 * and answers with the outcome; the Checkpointer is kept, so the writer lock stays held.
 */
import { saveKept } from './export-import.js'

const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (e: { readonly data: number }) => void): void
  postMessage(message: unknown): void
}

scope.addEventListener('message', ({ data: epoch }) => void saveKept(epoch).then((r) => scope.postMessage(r)))
