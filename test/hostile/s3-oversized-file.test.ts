import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { s3Storage } from '../../src/storage/s3.js'
import type { HttpFault } from '../../src/testing/index.js'
import { tensorsFor } from '../checkpointer/support.js'
import { motoMissing, useProxiedMoto } from '../storage/servers.js'
import { checkpointersOn } from './s3-support.js'

// The verified read compares a file's length with its index record before hashing, and reads at most one byte
// past the recorded size: a replaced file, or a server streaming an endless body, is never read to its end.
const missing = motoMissing()
if (missing !== null) console.warn(`[hostile] skipping the oversized file on S3 suite: ${missing}`)

const MiB = 1024 * 1024

describe.skipIf(missing !== null)(
  'restoring on S3 a checkpoint whose file was replaced by a far larger one (moto_server behind a proxy)',
  () => {
    const moto = useProxiedMoto()

    it('reads one byte past the recorded size and reports a CorruptCheckpoint saying the file has more, whether the server honours the Range or streams the whole object chunked', async () => {
      const { proxy } = moto()
      const options = moto().options()
      proxy.arm()
      const c = await checkpointersOn(moto(), options.prefix)()
      await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
      const [entry] = await c.list()
      const { key, size } = entry!.files[0]!
      const big = new Uint8Array(randomBytes(48 * MiB))
      await s3Storage(options).write(key, big)
      const cases: Array<[string, HttpFault | undefined]> = [
        ['Range honoured', undefined],
        [
          'Range ignored, chunked',
          { kind: 'chunked', nth: 1, times: Infinity, dropRange: true, match: (req) => req.method === 'GET' && req.url!.includes(key) },
        ],
      ]
      for (const [label, fault] of cases) {
        proxy.arm(fault)
        const failure = await c.restore(entry!.path).then(
          (r) => r,
          (e: unknown) => e,
        )
        expect(failure, label).toMatchObject({
          _tag: 'CorruptCheckpoint',
          message: expect.stringContaining(`file "${key}" has more than ${size} bytes, the index says ${size}`) as unknown,
        })
        expect(proxy.fired, label).toBe(fault !== undefined)
        // What the proxy sent before the client hung up: far less than the object (socket buffers hold a few MiB).
        expect(proxy.bodyBytes, label).toBeLessThan(big.byteLength / 2)
      }
      await c.close()
    })
  },
)
