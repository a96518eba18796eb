import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { isGet, type HttpFault } from '../../src/testing/index.js'
import { tensorsFor } from '../checkpointer/support.js'
import { motoMissing, useProxiedMoto } from '../storage/servers.js'
import { checkpointersOn } from './s3-support.js'

// Restoring from a server that answers chunked (no Content-Length) used to read every file as 0 bytes.
const missing = motoMissing()
if (missing !== null) console.warn(`[hostile] skipping restore through chunked S3 replies: ${missing}`)

const N = 1 << 16 // 256 KiB of F32 per checkpoint
const headOrGet = (req: IncomingMessage): boolean => req.method === 'HEAD' || isGet(req)

describe.skipIf(missing !== null)(
  'a Checkpointer on S3 whose replies are chunked, without Content-Length (moto_server behind a proxy)',
  () => {
    const moto = useProxiedMoto()

    it('opens and restores the exact tensors, whether the server honours ranges or ignores them', async () => {
      const { proxy } = moto()
      const open = checkpointersOn(moto())
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
