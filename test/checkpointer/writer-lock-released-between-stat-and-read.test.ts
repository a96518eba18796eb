// acquireWriterLock stats the existing lock, then reads it (writer-lock.ts:100-101). If the owner
// releases it in between (a normal close() of the other process), the read's NotFound is turned into a
// StorageFailed rejection, though the code has a case for exactly this ('it was just released') and retries.
// The second writer's save fails instead of taking the free lock.
import { describe, expect, it } from 'vitest'
import { acquireWriterLock } from '../../src/checkpointer/writer-lock.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'

const LOCK = 'ckpt-writer.lock'

describe('writer lock acquire racing a release', () => {
  it('takes the lock when its owner releases it between stat and read', async () => {
    const inner = memoryStorage()
    const now = Date.now()
    const other = { host: 'other-host', pid: 7, incarnation: 'abcdabcdabcdabcd', startedAt: now, heartbeat: now }
    await inner.write(LOCK, new TextEncoder().encode(`${JSON.stringify(other)}\n`))
    let released = false
    const storage: Storage = Object.assign(Object.create(inner) as Storage, {
      stat: async (k: string) => {
        const info = await inner.stat(k)
        if (k === LOCK && info !== null && !released) {
          released = true
          await inner.remove(LOCK) // the other process closes right now
        }
        return info
      },
    })
    const outcome = await acquireWriterLock(storage, () => {}, 60_000).then(
      (l) => (l === null ? 'no lock' : 'acquired'),
      (e: unknown) => `${(e as { _tag?: string })._tag}: ${(e as Error).message}`,
    )
    expect(outcome).toBe('acquired')
  })
})
