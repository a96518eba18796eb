import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { s3Storage } from '../../src/storage/s3.js'
import { startFaultProxy, type FaultProxy } from '../../src/testing/index.js'
import { tensorsFor } from '../checkpointer/support.js'
import { startS3rver, storageOptions, type S3Server } from './servers.js'

let server: S3Server | undefined
let proxy: FaultProxy | undefined

describe('S3: reads send no write, the first write probes (s3rver behind a recording proxy)', () => {
  beforeAll(async () => {
    server = await startS3rver()
    proxy = await startFaultProxy(server.endpoint)
  })
  afterAll(async () => {
    await proxy?.stop()
    await server?.stop()
  })

  it('list, stat, read, readStream and a reader Checkpointer send only GET and HEAD; the first write sends the probe first', async () => {
    const seeded = storageOptions(server!)
    const options = { filepath: 'run/e{epoch}.safetensors', monitor: 'loss', log: () => {} } as const
    const writer = await createCheckpointer({ storage: s3Storage(seeded), ...options })
    for (const epoch of [0, 1]) await writer.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch))
    await writer.close()

    const viaProxy = { ...seeded, endpoint: proxy!.endpoint }
    proxy!.arm()
    const storage = s3Storage(viaProxy)
    expect(await storage.list('run/')).toEqual(['run/e1.safetensors', 'run/e2.safetensors'])
    expect(await storage.stat('run/e1.safetensors')).not.toBeNull()
    expect((await storage.read('ckpt-index.json')).byteLength).toBeGreaterThan(0)
    for await (const chunk of await storage.readStream('run/e1.safetensors')) expect(chunk.byteLength).toBeGreaterThan(0)
    const reader = await createCheckpointer({ storage: s3Storage(viaProxy), ...options, isChief: false })
    expect((await reader.restore()).value).toEqual(tensorsFor(1))
    await reader.close()
    const chief = await createCheckpointer({ storage: s3Storage(viaProxy), ...options })
    expect((await chief.list()).length).toBe(2)
    await chief.close()
    const methods = new Set(proxy!.requests.map((r) => r.split(' ')[0]))
    expect([...methods].sort(), proxy!.requests.join('\n')).toEqual(['GET', 'HEAD'])

    proxy!.arm()
    await storage.write('run/new.bin', new Uint8Array([1]))
    const puts = proxy!.requests.filter((r) => r.startsWith('PUT '))
    expect(puts[0], proxy!.requests.join('\n')).toContain('.ckpt~probe/')
    expect(puts.at(-1)).toContain('run/new.bin')
    expect(await storage.open()).toEqual({ ifAbsent: false, ifMatch: false })
  })
})
