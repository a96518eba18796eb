import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s3Storage, type S3StorageOptions } from '../../src/storage/s3.js'
import { conformance } from '../../src/testing/index.js'
import { startS3rver, storageOptions, type S3Server } from './servers.js'

let server: S3Server | undefined
const options = (extra: Partial<S3StorageOptions> = {}): S3StorageOptions => storageOptions(server!, extra)

describe('s3Storage against s3rver (child process on 127.0.0.1)', () => {
  beforeAll(async () => {
    server = await startS3rver()
  })
  afterAll(async () => {
    await server?.stop()
  })

  conformance(
    {
      name: 's3rver',
      make: () => s3Storage(options()),
      modelRuns: 12,
      notAtomicBecause: 's3rver 3.7.1 writes each object in place (createWriteStream on the final path), so a concurrent GET can see a mix',
    },
    { describe, it, expect },
  )

  it('probes and declares that s3rver ignores conditional writes', async () => {
    const storage = s3Storage(options())
    expect(storage.capabilities).toEqual({ ifAbsent: true, ifMatch: true })
    expect(await storage.open()).toEqual({ ifAbsent: false, ifMatch: false })
    expect(storage.capabilities).toEqual({ ifAbsent: false, ifMatch: false })
    expect(await storage.list()).toEqual([])
  })

  it('lists across pages (continuation tokens) in order', async () => {
    const storage = s3Storage(options({ listPageSize: 7 }))
    const keys = Array.from({ length: 30 }, (_, i) => `many/${String(i).padStart(3, '0')}`)
    await Promise.all(keys.map((k) => storage.write(k, new Uint8Array([1]))))
    await storage.write('other', new Uint8Array([1]))
    expect(await storage.list('many/')).toEqual(keys)
    expect(await storage.list()).toEqual([...keys, 'other'])
  })

  it('refuses bad options with an error naming the option, the value and what is accepted', () => {
    expect(() => s3Storage(options({ partSize: 1024 }))).toThrow(/partSize is 1024; expected an integer >= 5242880/)
    expect(() => s3Storage({ bucket: '' })).toThrow(/bucket is ""/)
    expect(() => s3Storage(options({ prefix: '../up' }))).toThrow(/prefix is "..\/up"/)
    expect(() => s3Storage(options({ conditionalWrites: 'yes' as unknown as boolean }))).toThrow(
      /conditionalWrites is "yes"; expected 'auto', true or false/,
    )
    expect(() => s3Storage(options({ socketTimeout: 0 }))).toThrow(/socketTimeout is 0; expected an integer >= 1 \(milliseconds\)/)
  })

  it('keeps each storage inside its prefix', async () => {
    const a = s3Storage(options())
    const b = s3Storage(options())
    await a.write('x', new Uint8Array([1]))
    expect(await b.list()).toEqual([])
    expect(await b.stat('x')).toBeNull()
  })

  it('with conditionalWrites: false, declares no conditions without probing', async () => {
    const storage = s3Storage(options({ conditionalWrites: false }))
    expect(storage.capabilities).toEqual({ ifAbsent: false, ifMatch: false })
    expect(await storage.open()).toEqual({ ifAbsent: false, ifMatch: false })
  })

  it('is unusable after close, with a typed error', async () => {
    const storage = s3Storage(options())
    await storage.list()
    await storage.close()
    await expect(storage.list()).rejects.toMatchObject({ _tag: 'IOError' })
  })
})
