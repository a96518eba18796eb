import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { s3Storage } from '../../src/storage/s3.js'
import { motoMissing, startMoto, type S3Server } from '../storage/servers.js'
import { quiet, tensorsFor } from './support.js'

describe('Checkpointer: only the chief writes', () => {
  it('rank > 0 (or isChief: false) decides like the chief but writes nothing', async () => {
    const storage = memoryStorage()
    const worker = await createCheckpointer({ storage, filepath: 'w{epoch}.safetensors', monitor: 'loss', rank: 1, ...quiet })
    const out = await worker.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, () => {
      throw new Error('a non-chief must not take a snapshot')
    })
    expect(out).toMatchObject({ saved: false, path: 'w1.safetensors', committed: false })
    expect(await storage.list()).toEqual([])
    const chief = await createCheckpointer({ storage, filepath: 'w{epoch}.safetensors', monitor: 'loss', rank: 1, isChief: true, ...quiet })
    expect((await chief.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))).committed).toBe(true)
  })
})

const missing = motoMissing()
if (missing !== null) console.warn(`[checkpointer] skipping the concurrent-writers test: ${missing}`)

describe.skipIf(missing !== null)('Checkpointer: two writers on one S3 prefix (moto_server, conditional writes)', () => {
  let server: S3Server
  beforeAll(async () => {
    server = await startMoto()
  }, 60_000)
  afterAll(async () => server?.stop())

  it('no index update is lost: every commit of both writers is in the final index', async () => {
    const prefix = `shared-${randomBytes(4).toString('hex')}`
    const storage = () =>
      s3Storage({ bucket: server.bucket, prefix, endpoint: server.endpoint, forcePathStyle: true, credentials: server.credentials })
    const a = await createCheckpointer({ storage: storage(), filepath: 'a/e{epoch}.safetensors', monitor: 'loss', isChief: true, ...quiet })
    const b = await createCheckpointer({ storage: storage(), filepath: 'b/e{epoch}.safetensors', monitor: 'loss', isChief: true, ...quiet })
    expect(await a.config.storage.open()).toEqual({ ifAbsent: true, ifMatch: true })
    const epochs = 12
    const run = async (ckpt: typeof a, seed: number) => {
      for (let epoch = 0; epoch < epochs; epoch++) await ckpt.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(seed + epoch))
    }
    await Promise.all([run(a, 0), run(b, 100)])
    const reader = await createCheckpointer({ storage: storage(), filepath: 'x.safetensors', monitor: 'loss', ...quiet })
    const paths = (await reader.list()).map((e) => e.path).sort()
    const expected = [
      ...Array.from({ length: epochs }, (_, e) => `a/e${e + 1}.safetensors`),
      ...Array.from({ length: epochs }, (_, e) => `b/e${e + 1}.safetensors`),
    ].sort()
    expect(paths).toEqual(expected)
    expect((await reader.restore('b/e5.safetensors')).value).toEqual(tensorsFor(104))
  }, 120_000)
})
