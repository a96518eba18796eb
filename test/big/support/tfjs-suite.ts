import { mkdtempSync, rmSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runChild } from '../../hostile/support/child.js'
import { openPlace, type BigPlace, type BigStorage } from './big-place.js'

const GiB = 2 ** 30
const MiB = 2 ** 20

/** The model's size: 2.5 GiB as one embedding of 163,840 × 4096 float32, or 8 GiB as four of 2 GiB (131,072 rows). */
export type TfjsBigSize = '2.5 GiB' | '8 GiB'
const SHAPES: Record<TfjsBigSize, { readonly rows: number; readonly layers: number; readonly disk: number; readonly scale: number }> = {
  '2.5 GiB': { rows: 163_840, layers: 1, disk: 8e9, scale: 1 },
  '8 GiB': { rows: 131_072, layers: 4, disk: 24e9, scale: 3 },
}

/**
 * A whole tfjs model of 2.5 or 8 GiB through modelCheckpoint and restoreLatest, on `storage` (a temp folder, or a
 * bucket on s3rver). The restore builds the model with zero-filled weights (pages not yet backed) and reads each
 * weight, verified, into the array its tensor keeps: its peak is the model's own N bytes and the runtime, never the
 * weight file and the tensors at once (tfjs's own loadLayersModel holds both: about 2N). Run with CKPT_HUGE=1.
 */
export const tfjsRestoreLatestSuite = (storage: BigStorage, size: TfjsBigSize = '2.5 GiB') => {
  const { rows: ROWS, layers: LAYERS, disk, scale } = SHAPES[size]
  const BYTES = LAYERS * ROWS * 4096 * 4
  const on = storage === 'fs' ? 'fs' : 'S3'
  const fs = statfsSync(tmpdir())
  const skip =
    process.env['CKPT_HUGE'] !== '1'
      ? `set CKPT_HUGE=1 to run it (about ${Math.ceil((2 * BYTES) / 1e9 + 1)} GB of memory and ${Math.ceil(disk / 1e9)} GB of disk)`
      : fs.bavail * fs.bsize < disk
        ? `${tmpdir()} has less than ${Math.ceil(disk / 1e9)} GB free`
        : null
  if (skip !== null) console.log(`skipping the ${size} tfjs restoreLatest test on ${on}: ${skip}`)
  // S3 moves every byte through HTTP and the server's disk as well: give it twice as long.
  const timeoutMs = (storage === 'fs' ? 600_000 : 1_200_000) * scale

  describe.skipIf(skip !== null)(`a ${size} tfjs model on ${on}`, { timeout: (storage === 'fs' ? 900_000 : 1_800_000) * scale }, () => {
    let place: BigPlace | undefined
    beforeAll(async () => {
      place = await openPlace(storage)
    })
    afterAll(async () => {
      await place?.close()
    })

    it('saves with modelCheckpoint and comes back exact from restoreLatest, with a peak RSS of at most N + 256 MiB', async () => {
      const limits = { killAboveBytes: 2 * BYTES + 2 * GiB, timeoutMs }
      const saved = await runChild('test/big/support/tfjs-child.ts', ['save', place!.where, String(ROWS), 'cpu', String(LAYERS)], limits)
      if (saved._tag !== 'Done') throw new Error(JSON.stringify(saved))
      const s = saved.report as { elapsedMs: number; peakBytes: number; growthBytes: number }
      console.log(`tfjs save of ${size} on ${on}: ${(s.elapsedMs / 1000).toFixed(1)} s, peak RSS ${(s.peakBytes / MiB).toFixed(0)} MiB`)
      expect(s.growthBytes).toBeLessThan(256 * MiB)
      const restored = await runChild('test/big/support/tfjs-child.ts', ['restore', place!.where], limits)
      if (restored._tag !== 'Done') throw new Error(JSON.stringify(restored))
      const r = restored.report as { elapsedMs: number; peakBytes: number; elements: number; wrong: string[]; initialEpoch: number }
      console.log(
        `tfjs restoreLatest of ${size} on ${on}: ${(r.elapsedMs / 1000).toFixed(1)} s, peak RSS ${(r.peakBytes / MiB).toFixed(0)} MiB`,
      )
      expect(r.elements).toBe(LAYERS * ROWS * 4096)
      expect(r.wrong).toEqual([])
      expect(r.initialEpoch).toBe(1)
      expect(r.peakBytes).toBeLessThanOrEqual(BYTES + 256 * MiB)
    })

    // On wasm tfjs keeps tensors in its heap: the model's zeros there are overwritten in place by each weight as read,
    // so the heap holds N and the reads at most one weight (here the whole model: one embedding) besides. A matter
    // of the backend, not the storage: on fs only.
    it.runIf(storage === 'fs' && size === '2.5 GiB')(
      'on wasm, a 512 MiB model restores within the heap (N) and its one weight read (N) + 256 MiB',
      async () => {
        const rows = 163_840 / 5
        const bytes = rows * 4096 * 4
        const wasmDir = mkdtempSync(join(tmpdir(), 'ckpt-big-tfjs-wasm-'))
        try {
          const limits = { killAboveBytes: 4 * bytes + 2 * GiB, timeoutMs }
          const saved = await runChild('test/big/support/tfjs-child.ts', ['save', wasmDir, String(rows), 'wasm'], limits)
          if (saved._tag !== 'Done') throw new Error(JSON.stringify(saved))
          const restored = await runChild('test/big/support/tfjs-child.ts', ['restore', wasmDir, 'wasm'], limits)
          if (restored._tag !== 'Done') throw new Error(JSON.stringify(restored))
          const r = restored.report as { elapsedMs: number; peakBytes: number; elements: number; wrong: string[] }
          console.log(
            `tfjs restoreLatest of 512 MiB on wasm: ${(r.elapsedMs / 1000).toFixed(1)} s, peak RSS ${(r.peakBytes / MiB).toFixed(0)} MiB`,
          )
          expect(r.elements).toBe(rows * 4096)
          expect(r.wrong).toEqual([])
          expect(r.peakBytes).toBeLessThanOrEqual(2 * bytes + 256 * MiB)
        } finally {
          rmSync(wasmDir, { recursive: true, force: true })
        }
      },
    )
  })
}
