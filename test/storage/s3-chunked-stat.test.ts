import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { s3Storage } from '../../src/storage/s3.js'
import type { Storage } from '../../src/storage/storage.js'
import { isGet } from '../../src/testing/index.js'
import { motoMissing, useProxiedMoto } from './servers.js'

// A HeadObject answered without Content-Length must not make `stat` report a size of 0 (retention would then
// take a file ckpt wrote for someone else's): the size comes from a one-byte ranged GetObject, or the stat fails.
const missing = motoMissing()
if (missing !== null) console.warn(`[storage] skipping the S3 stat without Content-Length suite: ${missing}`)

const headOrGet = (req: IncomingMessage): boolean => req.method === 'HEAD' || isGet(req)

describe.skipIf(missing !== null)('S3 stat of objects whose HeadObject reply has no Content-Length, moto_server behind a proxy', () => {
  const moto = useProxiedMoto()

  const opened = async (): Promise<Storage> => {
    const s = s3Storage(moto().options())
    moto().proxy.arm()
    await s.open()
    return s
  }

  it('gives the size from the Content-Range of a one-byte ranged GetObject (an empty object answers 416), and null for a missing key', async () => {
    const s = await opened()
    for (const size of [0, 1, 1000, 100_003]) {
      const written = await s.write(`k${size}`, new Uint8Array(randomBytes(size)))
      moto().proxy.arm({ kind: 'chunked', nth: 1, times: Infinity, match: headOrGet })
      expect(await s.stat(`k${size}`), `${size} bytes`).toEqual(written)
      expect(moto().proxy.fired).toBe(true)
    }
    expect(await s.stat('missing')).toBeNull()
  })

  it('is a typed IOError naming the key when the server tells the size neither way (chunked, ranges ignored), never a size of 0', async () => {
    const s = await opened()
    await s.write('k', new Uint8Array(randomBytes(1000)))
    moto().proxy.arm({ kind: 'chunked', nth: 1, times: Infinity, match: headOrGet, dropRange: true })
    await expect(s.stat('k')).rejects.toMatchObject({
      _tag: 'IOError',
      key: 'k',
      message: expect.stringContaining('without Content-Length') as unknown,
    })
  })
})
