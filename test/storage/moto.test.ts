import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s3Storage, type S3StorageOptions } from '../../src/storage/s3.js'
import { conformance } from '../../src/testing/index.js'
import { motoMissing, startMoto, storageOptions, type S3Server } from './servers.js'

const missing = motoMissing()
if (missing !== null) console.warn(`[storage] skipping the moto_server suite: ${missing}`)

let server: S3Server | undefined
const options = (extra: Partial<S3StorageOptions> = {}): S3StorageOptions => storageOptions(server!, extra)

describe.skipIf(missing !== null)('s3Storage against moto_server (child process on 127.0.0.1)', () => {
  beforeAll(async () => {
    server = await startMoto()
  })
  afterAll(async () => {
    await server?.stop()
  })

  // moto ignores If-Match on CompleteMultipartUpload: ifMatch writes are single PutObjects, up to partSize.
  conformance(
    { name: 'moto_server', make: () => s3Storage(options()), modelRuns: 12, ifMatchLimit: 5 * 1024 * 1024 },
    { describe, it, expect },
  )

  it('probes and declares ifAbsent and ifMatch; as moto ignores If-Match on CompleteMultipartUpload, ifMatch writes go as one PutObject, up to partSize', async () => {
    const storage = s3Storage(options())
    expect(await storage.open()).toEqual({ ifAbsent: true, ifMatch: true })
    const v1 = await storage.write('big', new Uint8Array([1]))
    // Given as chunks (the multipart path), under partSize: gathered and sent as one conditional PutObject.
    await expect(storage.write('big', [new Uint8Array([2])], { ifMatch: '"stale"' })).rejects.toMatchObject({ _tag: 'PreconditionFailed' })
    const v2 = await storage.write('big', [new Uint8Array([3]), new Uint8Array([4])], { ifMatch: v1.etag })
    expect(Array.from(await storage.read('big'))).toEqual([3, 4])
    // Over partSize it would need a multipart upload whose If-Match moto ignores: refused, nothing written.
    const chunk = new Uint8Array(3 * 1024 * 1024)
    await expect(storage.write('big', [chunk, chunk], { ifMatch: v2.etag })).rejects.toMatchObject({ _tag: 'Unsupported' })
    expect(Array.from(await storage.read('big'))).toEqual([3, 4])
  })

  it('with conditionalWrites: true, trusts the server without probing', async () => {
    const storage = s3Storage(options({ conditionalWrites: true }))
    expect(await storage.open()).toEqual({ ifAbsent: true, ifMatch: true })
    const v1 = await storage.write('k', new Uint8Array([1]))
    await expect(storage.write('k', new Uint8Array([2]), { ifMatch: '"stale"' })).rejects.toMatchObject({ _tag: 'PreconditionFailed' })
    await storage.write('k', new Uint8Array([3]), { ifMatch: v1.etag })
    expect(Array.from(await storage.read('k'))).toEqual([3])
  })

  it('with conditionalWrites: false, declares nothing and refuses conditional writes even though the server could', async () => {
    const storage = s3Storage(options({ conditionalWrites: false }))
    expect(await storage.open()).toEqual({ ifAbsent: false, ifMatch: false })
    await storage.write('k', new Uint8Array([1]))
    await expect(storage.write('k', new Uint8Array([2]), { ifAbsent: true })).rejects.toMatchObject({ _tag: 'Unsupported' })
    expect(Array.from(await storage.read('k'))).toEqual([1])
  })
})
