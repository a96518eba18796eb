// Two writers on one S3 prefix (moto_server, conditional writes), while the index compacts: a writer whose index
// write loses the race (If-Match fails) removes the segment it wrote, reads the winner's index and segments, and
// applies its change again. No commit is lost and no segment is left that the index does not name.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer, type Entry } from '../../src/checkpointer/index.js'
import { emptyIndex } from '../../src/checkpointer/index-file.js'
import { SEGMENT_PREFIX } from '../../src/checkpointer/index-keys.js'
import { JOURNAL_MAX } from '../../src/checkpointer/index-segment.js'
import { indexWriter, loadIndex } from '../../src/checkpointer/index-store.js'
import { s3Storage } from '../../src/storage/s3.js'
import { startFaultProxy, type FaultProxy } from '../../src/testing/http-faults.js'
import { motoMissing, startMoto, type S3Server } from '../storage/servers.js'
import { quiet, tensorsFor } from './support.js'

const missing = motoMissing()
if (missing !== null) console.warn(`[checkpointer] skipping the S3 compaction-conflict tests: ${missing}`)

const entry = (path: string, i: number): Entry => ({
  path,
  format: 'safetensors',
  epoch: i,
  step: i,
  batch: null,
  metrics: { loss: 1 },
  score: 1,
  time: 1_000 + i,
  files: [{ key: path, size: 1, sha256: `sha256:${'0'.repeat(64)}` }],
  policyState: null,
})

describe.skipIf(missing !== null)('the index compacting under two writers on S3 (moto_server)', () => {
  let server: S3Server
  // moto checks If-Match and then writes without a lock, so both racing writers could pass (1 run in 6 listed 63 of
  // 64 commits); S3 decides conditional writes atomically, and a proxy that lets them through one at a time does too.
  let atomic: FaultProxy
  beforeAll(async () => {
    server = await startMoto()
    atomic = await startFaultProxy(server.endpoint, { serializeConditionalWrites: true })
  }, 60_000)
  afterAll(async () => {
    await atomic?.stop()
    await server?.stop()
  })
  const prefixed = () => {
    const prefix = `compact-${randomBytes(4).toString('hex')}`
    return () =>
      s3Storage({ bucket: server.bucket, prefix, endpoint: atomic.endpoint, forcePathStyle: true, credentials: server.credentials })
  }
  const named = async (storage: ReturnType<ReturnType<typeof prefixed>>) =>
    (await loadIndex(storage))!.state.head.segments.map((s) => s.key).sort()

  it('a compaction that loses the conditional write is redone on the winner index; its own segment is removed', async () => {
    const storage = prefixed()
    const setup = indexWriter(storage(), null)
    for (let i = 0; i < JOURNAL_MAX; i++)
      await setup.update(
        () => ({ add: [entry(`e${i}`, i)] }),
        () => emptyIndex(null),
      )
    // Both writers read the same index: a full journal, so each one's next write compacts it into a segment.
    const a = indexWriter(storage(), await loadIndex(storage()))
    const b = indexWriter(storage(), await loadIndex(storage()))
    await a.update(
      () => ({ add: [entry('a', 100)] }),
      () => emptyIndex(null),
    )
    await b.update(
      () => ({ add: [entry('b', 101)] }),
      () => emptyIndex(null),
    )
    const loaded = (await loadIndex(storage()))!
    expect(loaded.doc.checkpoints.map((e) => e.path)).toEqual([...Array.from({ length: JOURNAL_MAX }, (_, i) => `e${i}`), 'a', 'b'])
    expect([...(await storage().list(SEGMENT_PREFIX))].sort()).toEqual(await named(storage()))
    expect(await named(storage())).toHaveLength(1)
  }, 60_000)

  it('two Checkpointers saving at once through several compactions: every commit is listed, no segment is left unnamed', async () => {
    const storage = prefixed()
    const a = await createCheckpointer({ storage: storage(), filepath: 'a/e{epoch}.safetensors', monitor: 'loss', isChief: true, ...quiet })
    const b = await createCheckpointer({ storage: storage(), filepath: 'b/e{epoch}.safetensors', monitor: 'loss', isChief: true, ...quiet })
    const epochs = 2 * JOURNAL_MAX
    const run = async (ckpt: typeof a, seed: number) => {
      for (let epoch = 0; epoch < epochs; epoch++) await ckpt.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(seed + epoch, 4))
    }
    await Promise.all([run(a, 0), run(b, 100)])
    await a.close()
    await b.close()
    // A new writer's open sweeps what a lost race left behind (segments no index write will name).
    const reader = await createCheckpointer({ storage: storage(), filepath: 'x.safetensors', monitor: 'loss', ...quiet })
    const expected = ['a', 'b'].flatMap((w) => Array.from({ length: epochs }, (_, e) => `${w}/e${e + 1}.safetensors`))
    expect((await reader.list()).map((e) => e.path).sort()).toEqual(expected.sort())
    expect((await reader.restore('b/e5.safetensors')).value).toEqual(tensorsFor(104, 4))
    expect((await named(storage())).length).toBeGreaterThan(0)
    expect([...(await storage().list(SEGMENT_PREFIX))].sort()).toEqual(await named(storage()))
    await reader.close()
  }, 240_000)
})
