// A compacting save whose index write lands on S3 but whose answer is lost (the connection resets after moto applied
// the PutObject): the SDK retries the same conditional PUT, which now fails its If-Match (the etag is the one just
// written) with 412. The writer must not take that for a lost race and delete the segment it wrote: the index that
// landed names it, and every checkpoint compacted into it would be lost with it (the folder would no longer open).
import { describe, expect, it } from 'vitest'
import type { IncomingMessage } from 'node:http'
import { createCheckpointer, loadIndex, verifyEntry } from '../../src/checkpointer/index.js'
import { SEGMENT_PREFIX } from '../../src/checkpointer/index-keys.js'
import { JOURNAL_MAX } from '../../src/checkpointer/index-segment.js'
import { s3Storage } from '../../src/storage/s3.js'
import { motoMissing, useProxiedMoto } from '../storage/servers.js'
import { quiet, tensorsFor } from './support.js'

const missing = motoMissing()
if (missing !== null) console.warn(`[checkpointer] skipping the lost-answer index write test: ${missing}`)

const isIndexPut = (req: IncomingMessage) => req.method === 'PUT' && /\/ckpt-index\.json(\?|$)/.test(req.url ?? '')

describe.skipIf(missing !== null)('an index write that landed but whose answer was lost (moto_server behind a fault proxy)', () => {
  const proxied = useProxiedMoto()

  it('keeps the segment the landed index names: every committed checkpoint still opens, lists and verifies', async () => {
    const moto = proxied()
    const options = moto.options({ maxAttempts: 3 })
    const open = () =>
      createCheckpointer({ storage: s3Storage(options), filepath: 'c/e{epoch}.safetensors', monitor: 'loss', writerLock: false, ...quiet })
    const ckpt = await open()
    const save = (epoch: number) => ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch, 4))
    // A full journal: the next save compacts it into a segment written before the index file that names it.
    for (let epoch = 0; epoch < JOURNAL_MAX; epoch++) await save(epoch)
    moto.proxy.arm({ kind: 'reset-after', nth: 1, match: isIndexPut })
    // The write landed: the save is committed, and says so.
    await expect(save(JOURNAL_MAX)).resolves.toMatchObject({ committed: true })
    expect(moto.proxy.fired).toBe(true)
    moto.proxy.arm()
    await ckpt.close()

    const storage = s3Storage(options)
    const loaded = await loadIndex(storage)
    const paths = loaded!.doc.checkpoints.map((e) => e.path)
    expect(paths).toEqual(Array.from({ length: JOURNAL_MAX + 1 }, (_, e) => `c/e${e + 1}.safetensors`))
    for (const e of loaded!.doc.checkpoints) expect(await verifyEntry(storage, e), e.path).toBeNull()
    const named = loaded!.state.head.segments.map((s) => s.key)
    for (const key of named) expect(await storage.stat(key), key).not.toBeNull()
    expect([...(await storage.list(SEGMENT_PREFIX))].sort()).toEqual([...named].sort())
    const again = await open()
    expect((await again.restore()).value).toEqual(tensorsFor(paths.length - 1, 4))
    await again.close()
  }, 120_000)
})
