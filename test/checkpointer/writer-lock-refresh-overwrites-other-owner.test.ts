// a writer whose lock was taken over (it was silent for lockStaleAfter, e.g. a long epoch or a
// saveBestOnly run without improvement) blindly rewrites the lock at its next save: refresh() writes the lock
// file unconditionally, without checking it is still the owner. Both processes then write the folder.
import { describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { tensorsFor } from './support.js'

const LOCK = 'ckpt-writer.lock'
const read = async (s: ReturnType<typeof memoryStorage>) => JSON.parse(new TextDecoder().decode(await s.read(LOCK))) as { host: string }

describe('writer lock refresh', () => {
  it('does not overwrite a lock another writer took over; the stale writer is refused', async () => {
    const storage = memoryStorage()
    const a = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', lockStaleAfter: 80, log: () => {} })
    await a.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    // A stays silent longer than lockStaleAfter; a writer on another host takes the stale lock over.
    await sleep(120)
    const now = Date.now()
    const other = { host: 'other-host', pid: 4242, incarnation: 'deadbeefdeadbeef', startedAt: now, heartbeat: now }
    await storage.write(LOCK, new TextEncoder().encode(`${JSON.stringify(other)}\n`))
    // A's next save: it no longer owns the folder. Expected WriterLocked (or at least: B's lock survives).
    const outcome = await a.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1)).then(
      () => 'saved',
      (e: unknown) => (e as { _tag?: string })._tag,
    )
    const holder = (await read(storage)).host
    expect({ outcome, holder }).toEqual({ outcome: 'WriterLocked', holder: 'other-host' })
  })
})
