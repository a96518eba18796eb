import { randomBytes } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s3Storage } from '../../src/storage/s3.js'
import type { Storage } from '../../src/storage/storage.js'
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js'
import { motoMissing, startMoto, startS3rver, storageOptions, type S3Server } from './servers.js'

// Large objects go up as parallel multipart parts and come down as parallel ranged GETs (as boto3's managed
// transfers do), on kept-alive connections, holding a bounded number of parts: counted by a proxy in front of moto.
const missing = motoMissing()
if (missing !== null) console.warn(`[storage] skipping the parallel S3 parts suite: ${missing}`)

const MiB = 1024 * 1024
const PART = 5 * MiB
const QUEUE = 3
const SIZE = 12 * PART + 12345 // 13 parts

describe.skipIf(missing !== null)('S3 transfers in parallel parts, moto_server behind a counting proxy', () => {
  let server: S3Server
  let proxy: CountingProxy
  beforeAll(async () => {
    server = await startMoto()
    proxy = await startCountingProxy(server.endpoint)
  })
  afterAll(async () => {
    await proxy?.stop()
    await server?.stop()
  })

  const bytes = new Uint8Array(randomBytes(SIZE))
  const opened = async (): Promise<{ storage: Storage; prefix: string }> => {
    const options = storageOptions(server, { endpoint: proxy.endpoint, partSize: PART, queueSize: QUEUE })
    const storage = s3Storage(options)
    await storage.open()
    return { storage, prefix: options.prefix! }
  }

  it(`uploads ${QUEUE} parts at once, reading the source at most ${QUEUE} parts ahead of what the server has taken`, async () => {
    const { storage } = await opened()
    proxy.reset()
    const ahead: number[] = []
    let pulled = 0
    async function* source() {
      for (let at = 0; at < SIZE; at += MiB) {
        pulled += Math.min(MiB, SIZE - at)
        // Parts the server has not answered yet, counting the one being gathered.
        ahead.push(pulled / PART - proxy.finished('part'))
        await new Promise((r) => setImmediate(r))
        yield bytes.subarray(at, Math.min(at + MiB, SIZE))
      }
    }
    await storage.write('big', source())
    expect(proxy.finished('part')).toBe(13)
    expect(proxy.maxInFlight('part')).toBe(QUEUE)
    expect(Math.max(...ahead), 'parts read ahead of the server').toBeLessThanOrEqual(QUEUE + 1)
    expect(Buffer.from(await storage.read('big')).equals(bytes)).toBe(true)
  })

  it("sends each part's CRC32, which the server records: the object's checksum is the CRC32 of the parts' CRC32s", async () => {
    const { storage, prefix } = await opened()
    await storage.write('big', bytes)
    const client = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: server.credentials })
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: `${prefix}/big`, ChecksumMode: 'ENABLED' }))
      const word = (n: number) => {
        const b = Buffer.alloc(4)
        b.writeUInt32BE(n)
        return b
      }
      const partCrcs: Buffer[] = []
      for (let at = 0; at < SIZE; at += PART) partCrcs.push(word(crc32(bytes.subarray(at, at + PART))))
      // AWS appends "-13" (the part count); moto does not.
      expect(head.ChecksumCRC32?.replace(/-\d+$/, '')).toBe(word(crc32(Buffer.concat(partCrcs))).toString('base64'))
    } finally {
      client.destroy()
    }
  })

  it(`reads a large object with ${QUEUE} ranged GETs at once besides the first, into one buffer or a stream in order`, async () => {
    const { storage } = await opened()
    await storage.write('big', bytes)
    proxy.reset()
    expect(Buffer.from(await storage.read('big')).equals(bytes)).toBe(true)
    expect(proxy.finished('get')).toBe(13)
    expect(proxy.maxInFlight('get')).toBeGreaterThan(1)
    expect(proxy.maxInFlight('get')).toBeLessThanOrEqual(QUEUE + 1)
    expect(proxy.getBytes, 'each byte fetched once').toBe(SIZE)

    const range = { start: PART + 17, end: 9 * PART + 3 }
    expect(Buffer.from(await storage.read('big', range)).equals(bytes.subarray(range.start, range.end))).toBe(true)
    const parts: Uint8Array[] = []
    for await (const chunk of await storage.readStream('big', range)) parts.push(chunk)
    expect(Buffer.concat(parts).equals(bytes.subarray(range.start, range.end))).toBe(true)
  })

  it(`a stream read by a slow consumer holds at most about ${QUEUE} parts ahead of it`, async () => {
    const { storage } = await opened()
    await storage.write('big', bytes)
    proxy.reset()
    let consumed = 0
    let mostAhead = 0
    let first = true
    for await (const chunk of await storage.readStream('big')) {
      consumed += chunk.byteLength
      // At the first chunk the consumer stalls until the parts fetched ahead have come in (or 30 s), so that the
      // read-ahead shows whatever the server's speed against the consumer's (moto is slow on a loaded machine).
      for (const until = Date.now() + 30_000; first && Date.now() < until && proxy.getBytes - consumed < 2 * PART;)
        await new Promise((r) => setTimeout(r, 10))
      first = false
      await new Promise((r) => setTimeout(r, 2))
      mostAhead = Math.max(mostAhead, proxy.getBytes - consumed)
    }
    expect(consumed).toBe(SIZE)
    // The parts fetched ahead, the part being handed on, and what socket buffers hold (a few MiB at most).
    expect(mostAhead / PART).toBeGreaterThan(1)
    expect(mostAhead / PART).toBeLessThanOrEqual(QUEUE + 2)
  })
})

// moto's server (werkzeug) closes every connection; s3rver keeps them alive, as S3 does.
describe('S3 multipart parts on kept-alive connections, s3rver behind a counting proxy', () => {
  let server: S3Server
  let proxy: CountingProxy
  beforeAll(async () => {
    server = await startS3rver()
    proxy = await startCountingProxy(server.endpoint)
  })
  afterAll(async () => {
    await proxy?.stop()
    await server?.stop()
  })

  it('sends the create, every part and the complete of a 13-part upload on a few connections, not one per part', async () => {
    const storage = s3Storage(storageOptions(server, { endpoint: proxy.endpoint, partSize: PART, queueSize: QUEUE }))
    await storage.open()
    proxy.reset()
    await storage.write('big', new Uint8Array(randomBytes(SIZE)))
    expect(proxy.finished('part')).toBe(13)
    expect(proxy.connections).toBeLessThanOrEqual(QUEUE + 1)
    await storage.close()
  })
})
