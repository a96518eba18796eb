// removeFiles decides "ckpt wrote this" by size alone (folder.ts:39). Another writer's file at a
// path ckpt is removing (same model, so the same size) is deleted, though the index records each file's
// SHA-256 and docs/format.md promises "Nothing ckpt did not write is deleted".
import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { tensorsFor } from './support.js'

describe('removing files of dropped checkpoints', () => {
  it('does not delete a same-size file that ckpt did not write', async () => {
    const inner = memoryStorage()
    let failRemoves = true
    const storage: Storage = Object.assign(Object.create(inner) as Storage, {
      remove: (k: string) => (failRemoves && k.endsWith('.safetensors') ? Promise.reject(new Error('EACCES (injected)')) : inner.remove(k)),
    })
    const opts = { storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', maxToKeep: 1, log: () => {} }
    const a = await createCheckpointer(opts)
    await a.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    await a.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1)) // retention drops e1; its removal fails
    await a.close()
    const ours = await inner.read('e1.safetensors')
    // Another writer puts its own file at e1.safetensors: same size, other bytes.
    const theirs = Uint8Array.from(ours)
    theirs[theirs.length - 1] = theirs[theirs.length - 1]! ^ 0xff
    await inner.write('e1.safetensors', theirs)
    failRemoves = false
    const b = await createCheckpointer(opts) // recovery finishes the pending removal
    await b.close()
    expect(await inner.stat('e1.safetensors')).not.toBeNull()
  })
})
