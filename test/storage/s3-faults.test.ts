import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StorageFailure } from '../../src/storage/errors.js'
import { s3Storage } from '../../src/storage/s3.js'
import type { Storage } from '../../src/storage/storage.js'
import { asyncChunks, inChunks, isGet, startFaultProxy, type FaultProxy, type HttpFaultKind } from '../../src/testing/index.js'
import { startS3rver, type S3Server } from './servers.js'

const MiB = 1024 * 1024
let server: S3Server | undefined
let proxy: FaultProxy | undefined

/** A storage talking to s3rver through the fault proxy, opened (probe done) before faults are armed. */
const open = async (maxAttempts: number, prefix = `f-${randomBytes(6).toString('hex')}`): Promise<Storage> => {
  const storage = s3Storage({
    bucket: server!.bucket,
    prefix,
    endpoint: proxy!.endpoint,
    forcePathStyle: true,
    credentials: server!.credentials,
    partSize: 5 * MiB,
    queueSize: 2,
    maxAttempts,
  })
  proxy!.arm()
  await storage.open()
  return storage
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))
const v1 = new Uint8Array(randomBytes(1000))
const v2 = new Uint8Array(randomBytes(5 * MiB + 123))
const writeV2 = (s: Storage) => s.write('ckpt/model.bin', asyncChunks(inChunks(v2, [2 * MiB, 2 * MiB])))

describe('fault injection: S3 adapter via an HTTP fault proxy in front of s3rver', () => {
  beforeAll(async () => {
    server = await startS3rver()
    proxy = await startFaultProxy(server.endpoint)
  })
  afterAll(async () => {
    await proxy?.stop()
    await server?.stop()
  })

  const requestsOfOneWrite = async (): Promise<number> => {
    const s = await open(3)
    await s.write('ckpt/model.bin', v1)
    proxy!.arm()
    await writeV2(s)
    return proxy!.requests.length
  }

  for (const [kind, attempts] of [
    ['503', 3],
    ['reset', 3],
    ['503', 1],
    ['reset', 1],
    ['reset-after', 1],
  ] as Array<[HttpFaultKind, number]>) {
    it(`multipart write, ${kind} on the n-th request (create, each part, complete) for every n, maxAttempts ${attempts}: ${attempts > 1 ? 'the retry succeeds' : 'a typed error'}, the previous object whole, nothing partial listed`, async () => {
      const total = await requestsOfOneWrite()
      expect(total).toBe(4) // CreateMultipartUpload, 2 × UploadPart, CompleteMultipartUpload
      for (let nth = 1; nth <= total; nth++) {
        const s = await open(attempts)
        await s.write('ckpt/model.bin', v1)
        await s.write('other', v1)
        proxy!.arm({ kind, nth })
        const outcome = await writeV2(s).then(
          () => null,
          (e: unknown) => e,
        )
        const label = `${kind} on request ${nth} (${proxy!.requests[nth - 1]})`
        expect(proxy!.fired, label).toBe(true)
        proxy!.arm()
        const now = await s.read('ckpt/model.bin')
        if (attempts > 1) {
          expect(outcome, label).toBeNull()
          expect(same(now, v2), label).toBe(true)
        } else {
          expect(outcome, label).toBeInstanceOf(StorageFailure)
          expect((outcome as StorageFailure)._tag, label).toBe('IOError')
          // Only a lost answer to the final CompleteMultipartUpload can have replaced the object, and then whole.
          expect(same(now, kind === 'reset-after' && nth === total ? v2 : v1), label).toBe(true)
        }
        expect(await s.list(), label).toEqual(['ckpt/model.bin', 'other'])
      }
    })
  }

  it('small single-request writes: a retried 503 succeeds; with one attempt the error is typed and the old bytes stay', async () => {
    const s = await open(3)
    await s.write('small', v1)
    proxy!.arm({ kind: '503', nth: 1 })
    await s.write('small', new Uint8Array([1, 2, 3]))
    expect(Array.from(await s.read('small'))).toEqual([1, 2, 3])
    const once = await open(1)
    await once.write('small', v1)
    for (const kind of ['503', 'reset'] as const) {
      proxy!.arm({ kind, nth: 1 })
      await expect(once.write('small', new Uint8Array([4]))).rejects.toMatchObject({ _tag: 'IOError' })
      proxy!.arm()
      expect(same(await once.read('small'), v1)).toBe(true)
    }
  })

  it('a truncated or reset read body is resumed from the last byte (If-Match pinned) and returns the exact bytes', async () => {
    const s = await open(3)
    const bytes = new Uint8Array(randomBytes(3 * MiB + 17))
    await s.write('big', bytes)
    for (const kind of ['truncate', 'reset', '503'] as const) {
      proxy!.arm({ kind, nth: 1, match: isGet })
      expect(same(await s.read('big'), bytes), kind).toBe(true)
      expect(proxy!.fired).toBe(true)
      expect(
        proxy!.requests.filter((r) => r.startsWith('GET')),
        `${kind}: a second GET resumed the read`,
      ).toHaveLength(2)
      proxy!.arm({ kind, nth: 1, match: isGet })
      const parts: Uint8Array[] = []
      for await (const c of await s.readStream('big', { start: 100, end: 2 * MiB })) parts.push(c)
      expect(same(Buffer.concat(parts), bytes.subarray(100, 2 * MiB)), `stream ${kind}`).toBe(true)
    }
  })

  it('with one attempt, a truncated read is a typed IOError, never short bytes', async () => {
    const s = await open(1)
    const bytes = new Uint8Array(randomBytes(MiB))
    await s.write('k', bytes)
    proxy!.arm({ kind: 'truncate', nth: 1, match: isGet })
    const failure = await s.read('k').then(
      () => null,
      (e: unknown) => e as StorageFailure,
    )
    expect(failure).toBeInstanceOf(StorageFailure)
    expect(failure?._tag).toBe('IOError')
  })

  it('list, stat and remove retry a 503 and report a typed IOError when attempts run out', async () => {
    const s = await open(3)
    await s.write('a', v1)
    for (const call of [() => s.list(), () => s.stat('a'), () => s.remove('zzz')]) {
      proxy!.arm({ kind: '503', nth: 1 })
      await call()
      expect(proxy!.fired).toBe(true)
    }
    const once = await open(1)
    for (const call of [() => once.list(), () => once.stat('a'), () => once.remove('a')]) {
      proxy!.arm({ kind: '503', nth: 1 })
      await expect(call()).rejects.toMatchObject({ _tag: 'IOError' })
    }
  })
})
