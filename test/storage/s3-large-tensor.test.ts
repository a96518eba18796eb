import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runChild } from '../hostile/support/child.js'
import { peakMeasurable } from '../hostile/support/peak.js'
import { motoMissing, startMoto, storageOptions, type S3Server } from './servers.js'

const MiB = 2 ** 20
/**
 * One tensor of 320 MiB: 40 parts of the default 8 MiB, in a checkpoint moto holds comfortably in memory. A manual
 * run at another size: CKPT_S3_BYTES=2684354560 (moto then holds about three copies of the object in memory; it
 * also reads the whole object for each ranged GET, so above 512 MiB the restore keeps two GETs in flight, not the
 * default eight, each of which holds a copy in moto).
 */
const BYTES = Number(process.env['CKPT_S3_BYTES'] ?? 320 * MiB)
const TIMEOUT_MS = 240_000 * Math.max(1, BYTES / (320 * MiB))

const missing = motoMissing() ?? (peakMeasurable() ? null : 'the peak RSS cannot be measured here (needs Linux /proc/self/clear_refs)')
if (missing !== null) console.log(`skipping the S3 large-tensor test: ${missing}`)

interface Measured {
  readonly elapsedMs: number
  readonly peakBytes: number
  readonly growthBytes: number
}

// The S3 side of large checkpoints, at a scale moto (which holds objects in memory, and copies a multipart object
// whole when it completes it) can take on a shared machine; the same code paths run at any size.
describe.skipIf(missing !== null)(
  'a checkpoint whose one tensor spans many parts, on S3 (moto_server)',
  { timeout: TIMEOUT_MS + 60_000 },
  () => {
    let server: S3Server
    let where = ''
    beforeAll(async () => {
      server = await startMoto()
      where = `s3:${JSON.stringify(storageOptions(server, { partSize: 8 * MiB, ...(BYTES > 512 * MiB ? { queueSize: 2 } : {}) }))}`
    })
    afterAll(async () => {
      await server?.stop()
    })

    const child = async <R>(args: ReadonlyArray<string>): Promise<R & Measured> => {
      const r = await runChild('test/big/support/big-child.ts', args, { killAboveBytes: 2 * BYTES + 512 * MiB, timeoutMs: TIMEOUT_MS })
      if (r._tag !== 'Done') throw new Error(JSON.stringify(r))
      return r.report as R & Measured
    }

    it('saves with multipart upload holding parts, not a copy of the tensor: the save grows RSS by well under the tensor', async () => {
      const r = await child<Record<string, never>>(['save', where, String(BYTES)])
      console.log(`S3 save of ${BYTES / MiB} MiB: ${(r.elapsedMs / 1000).toFixed(1)} s, RSS grew ${(r.growthBytes / MiB).toFixed(0)} MiB`)
      expect(r.growthBytes).toBeLessThan(BYTES / 2)
    })

    it('restores every sampled word exactly, streamed into the tensor, with peak RSS growth at most N + 128 MiB', async () => {
      const r = await child<{ checked: number; wrong: ReadonlyArray<string> }>(['restore', where])
      console.log(
        `S3 restore of ${BYTES / MiB} MiB: ${(r.elapsedMs / 1000).toFixed(1)} s, RSS grew ${(r.growthBytes / MiB).toFixed(0)} MiB`,
      )
      expect(r.wrong).toEqual([])
      expect(r.growthBytes).toBeLessThanOrEqual(BYTES + 128 * MiB)
    })
  },
)
