import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runChild } from '../../hostile/support/child.js'
import { peakMeasurable } from '../../hostile/support/peak.js'

/**
 * Issue 12: a `.weights.h5` save or load of a model of N bytes peaks at most N + 128 MB of RSS above the runtime
 * (Node, tfjs and ckpt loaded, before the model exists): the model's own weights plus what the operation adds.
 * Each operation runs in a fresh child (h5-memory-child.ts), which measures its own peak (VmHWM). A suite of
 * `layers` × Dense(`units`), skipped (saying why) for `skip` or where the peak cannot be measured. A load holds one
 * weight's new value beside the model (as Keras's load_weights does): `loadExtra` allows for it where a weight is
 * larger than the 128 MB.
 */
export const h5MemorySuite = (layers: number, units: number, skip: string | null, loadExtra = 0): void => {
  const MiB = 2 ** 20
  const ALLOWANCE = 128 * MiB
  const reason = skip ?? (peakMeasurable() ? null : 'the peak RSS cannot be measured here (needs Linux /proc/self/clear_refs)')
  const bytes = layers * (units * units + units) * 4
  const label = `${layers} × Dense(${units}) (${(bytes / 2 ** 30).toFixed(2)} GiB)`
  if (reason !== null) console.log(`skipping the .weights.h5 memory suite at ${label}: ${reason}`)

  describe.skipIf(reason !== null)(
    `.weights.h5 of ${label}: peak RSS at most N + 128 MiB${loadExtra > 0 ? ' (a load: and one weight)' : ''}`,
    { timeout: 1_800_000 },
    () => {
      let dir = ''
      beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), 'ckpt-h5-memory-'))
      })
      afterAll(() => {
        if (dir !== '') rmSync(dir, { recursive: true, force: true })
      })

      const child = async (op: 'save' | 'load'): Promise<Report> => {
        const outcome = await runChild('test/keras/support/h5-memory-child.ts', [op, dir, String(layers), String(units)], {
          killAboveBytes: 2 * bytes + 2 * 2 ** 30,
          timeoutMs: 1_700_000,
        })
        if (outcome._tag !== 'Done') throw new Error(`${op} child: ${JSON.stringify(outcome)}`)
        const r = outcome.report as Report
        console.log(
          `${op}: ${(r.elapsedMs / 1000).toFixed(1)} s, peak ${((r.peakBytes - r.runtimeBytes) / MiB).toFixed(0)} MiB above the runtime's ${(r.runtimeBytes / MiB).toFixed(0)} MiB (N = ${(r.modelBytes / MiB).toFixed(0)} MiB; the ${op} itself grew it by ${(r.growthBytes / MiB).toFixed(0)} MiB)`,
        )
        return r
      }

      it('saveKerasWeights', async () => {
        const r = await child('save')
        expect(r.modelBytes).toBe(bytes)
        expect(r.peakBytes - r.runtimeBytes).toBeLessThanOrEqual(r.modelBytes + ALLOWANCE)
      })

      it('loadKerasWeights of that file, the values landing in the model', async () => {
        const r = await child('load')
        expect(r.wrong).toEqual([])
        expect(r.peakBytes - r.runtimeBytes).toBeLessThanOrEqual(r.modelBytes + loadExtra + ALLOWANCE)
      })
    },
  )
}

interface Report {
  readonly runtimeBytes: number
  readonly modelBytes: number
  readonly peakBytes: number
  readonly growthBytes: number
  readonly elapsedMs: number
  readonly wrong?: ReadonlyArray<string>
}
