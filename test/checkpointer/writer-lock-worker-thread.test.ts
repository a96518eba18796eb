// the lock tells "this process" by (host, pid, incarnation), and an owner with this host and pid but
// another incarnation is taken to be a restarted process and taken over at once (writer-lock.ts:61). But a
// worker thread (or a second copy of the module) has the same pid and its own INCARNATION: a live writer in a
// worker thread loses its lock to the main thread, and both write the folder.
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { bundleForChild } from '../support/bundle.js'
import { tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('writer lock across worker threads', () => {
  it('a live writer in a worker thread is not taken over by the main thread', async () => {
    const script = await bundleForChild(fileURLToPath(new URL('./writer-lock-worker-holder.ts', import.meta.url)))
    const dir = `${tmp.dir}/f`
    const worker = new Worker(script, { workerData: { dir } })
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve())
        worker.once('error', reject)
      })
      const lines: string[] = []
      const main = await createCheckpointer({
        storage: fsStorage(dir),
        filepath: 'm{epoch}.safetensors',
        monitor: 'loss',
        log: (l) => lines.push(l),
      })
      const outcome = await main.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0)).then(
        () => 'saved',
        (e: unknown) => (e as { _tag?: string })._tag,
      )
      expect({ outcome, warnings: lines.filter((l) => l.includes('taking over')) }).toEqual({ outcome: 'WriterLocked', warnings: [] })
    } finally {
      await worker.terminate()
    }
  })
})
