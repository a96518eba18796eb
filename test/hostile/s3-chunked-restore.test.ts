import type { IncomingMessage } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { s3Storage } from '../../src/storage/s3.js'
import { isGet, type HttpFault } from '../../src/testing/index.js'
import { quiet, tensorsFor } from '../checkpointer/support.js'
import { motoMissing, startProxiedMoto, type ProxiedMoto } from '../storage/servers.js'

// Restoring from a server that answers chunked (no Content-Length) used to read every file as 0 bytes.
const missing = motoMissing()
if (missing !== null) console.warn(`[hostile] skipping restore through chunked S3 replies: ${missing}`)

let moto: ProxiedMoto | undefined
const N = 1 << 18 // 1 MiB of F32 per checkpoint
const headOrGet = (req: IncomingMessage): boolean => req.method === 'HEAD' || isGet(req)

describe.skipIf(missing !== null)(
  'a Checkpointer on S3 whose replies are chunked, without Content-Length (moto_server behind a proxy)',
  () => {
    beforeAll(async () => {
      moto = await startProxiedMoto()
    })
    afterAll(async () => {
      await moto?.stop()
    })

    it('opens and restores the exact tensors, whether the server honours ranges or ignores them', async () => {
      const { proxy } = moto!
      const { prefix } = moto!.options()
      const open = () =>
        createCheckpointer({ storage: s3Storage(moto!.options({ prefix })), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
      proxy.arm()
      const writer = await open()
      for (const epoch of [0, 1, 2]) await writer.onEpochEnd({ epoch, logs: { loss: [0.5, 0.2, 0.9][epoch]! } }, tensorsFor(epoch, N))
      await writer.close()
      const cases: Array<[string, HttpFault]> = [
        ['ranges honoured, HeadObject without Content-Length too', { kind: 'chunked', nth: 1, times: Infinity, match: headOrGet }],
        ['ranges ignored', { kind: 'chunked', nth: 1, times: Infinity, match: isGet, dropRange: true }],
      ]
      for (const [label, fault] of cases) {
        proxy.arm(fault)
        const reader = await open()
        expect(
          (await reader.list()).map((e) => e.path),
          label,
        ).toEqual(['e1.safetensors', 'e2.safetensors', 'e3.safetensors'])
        const latest = await reader.restore('latest')
        expect([latest.entry.epoch, latest.skipped], label).toEqual([2, []])
        expect(latest.value, label).toEqual(tensorsFor(2, N))
        const best = await reader.restore('best')
        expect(best.entry.epoch, label).toBe(1)
        expect(best.value, label).toEqual(tensorsFor(1, N))
        expect(proxy.fired, label).toBe(true)
        await reader.close()
      }
    })
  },
)
