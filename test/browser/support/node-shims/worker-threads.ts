/** Test-only `node:worker_threads` (see README.md): the writer lock's thread id; no workers (the hasher is replaced, default-hasher.ts). */
export const threadId = 0
export const isMainThread = true
export class Worker {
  constructor() {
    throw new Error('test worker_threads shim: no workers in a page')
  }
}
