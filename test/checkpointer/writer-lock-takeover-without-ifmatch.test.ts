// on a storage with exclusive create but no ifMatch (S3-compatible servers that honour If-None-Match but
// not If-Match on PUT), the takeover of a stale lock is an unconditional overwrite and the taker never checks
// what it wrote survived (writer-lock.ts:120-124). Two processes that find the same stale lock both "take it
// over", both resolve, and both write the folder.
import { describe, expect, it, vi } from 'vitest'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'

const LOCK = 'ckpt-writer.lock'

/** The memory storage, declaring (and honouring) ifAbsent but not ifMatch. */
const noIfMatch = (inner: Storage): Storage => ({
  ...inner,
  name: inner.name,
  get capabilities() {
    return { ifAbsent: true, ifMatch: false }
  },
  open: async () => ({ ...(await inner.open()), ifMatch: false }),
  write: (k, d, o) => inner.write(k, d, o),
  read: (k, r) => inner.read(k, r),
  readStream: (k, r) => inner.readStream(k, r),
  list: (p) => inner.list(p),
  remove: (k) => inner.remove(k),
  stat: (k) => inner.stat(k),
  close: () => inner.close(),
})

/** A fresh copy of the writer-lock module: its own incarnation, as another process would have. */
const freshLockModule = async () => {
  vi.resetModules()
  return import('../../src/checkpointer/writer-lock.js')
}

describe('writer lock takeover without ifMatch', () => {
  it('at most one of two writers takes over the same stale lock', async () => {
    const storage = noIfMatch(memoryStorage())
    const stale = { host: 'gone-host', pid: 1, incarnation: '0000000000000000', startedAt: 0, heartbeat: 0 }
    await storage.write(LOCK, new TextEncoder().encode(`${JSON.stringify(stale)}\n`))
    const p1 = await freshLockModule()
    const p2 = await freshLockModule()
    const results = await Promise.allSettled([
      p1.acquireWriterLock(storage, () => {}, 60_000),
      p2.acquireWriterLock(storage, () => {}, 60_000),
    ])
    const holders = results.filter((r) => r.status === 'fulfilled' && r.value !== null).length
    expect(holders).toBe(1)
  })
})
