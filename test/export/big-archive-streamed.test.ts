import { createHash } from 'node:crypto'
import { createReadStream, statSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, describe, expect, it } from 'vitest'
import { verifyEntry } from '../../src/checkpointer/artifact-reader.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { fsStorage } from '../../src/storage/fs.js'
import { tempDir } from '../checkpointer/support.js'
import { runChild } from '../hostile/support/child.js'
import { peakMeasurable } from '../hostile/support/peak.js'

const MiB = 2 ** 20
/** The checkpoint: 384 MiB, one file of 384 blocks. */
const BYTES = 384 * MiB
/** What export or import may hold at once: half the file, and far more than they need (chunks, one read ahead, 64 MiB of hashing). */
const BUDGET = BYTES / 2

const free = statfsSync(tmpdir()).bavail * statfsSync(tmpdir()).bsize
const reason = !peakMeasurable()
  ? 'the peak RSS cannot be measured here (needs Linux /proc/self/clear_refs)'
  : free < 3 * BYTES + 500 * MiB
    ? `${tmpdir()} has ${Math.round(free / MiB)} MiB free; the test needs ${Math.round((3 * BYTES + 500 * MiB) / MiB)}`
    : null
if (reason !== null) console.log(`skipping the big archive test: ${reason}`)

const sha256Of = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const h = createHash('sha256')
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject)
  })

const child = async <R>(args: ReadonlyArray<string>): Promise<R> => {
  const outcome = await runChild('test/export/support/big-archive-child.ts', args, { killAboveBytes: 3 * BYTES, timeoutMs: 600_000 })
  if (outcome._tag !== 'Done') throw new Error(`child ${args.join(' ')}: ${JSON.stringify(outcome)}`)
  return outcome.report as R
}

describe.skipIf(reason !== null)(
  'a large checkpoint is exported and imported as a stream, in bounded memory',
  { timeout: 1_200_000 },
  () => {
    const t = tempDir('ckpt-big-archive-')
    afterAll(t.cleanup)

    it(`${BYTES / MiB} MiB: export to a file and import from a disk-backed Blob each hold less than half of it`, async () => {
      const source = `${t.dir}/source`
      const target = `${t.dir}/target`
      const file = `${t.dir}/run.tar`
      await child(['save', source, String(BYTES)])
      const exported = await child<{ elapsedMs: number; growthBytes: number; size: number }>(['export', source, file])
      console.log(`export: ${(exported.elapsedMs / 1000).toFixed(1)} s, RSS grew ${(exported.growthBytes / MiB).toFixed(0)} MiB`)
      expect(statSync(file).size).toBe(exported.size)
      expect(exported.growthBytes).toBeLessThan(BUDGET)
      const imported = await child<{ elapsedMs: number; growthBytes: number; imported: string[] }>(['import', file, target])
      console.log(`import: ${(imported.elapsedMs / 1000).toFixed(1)} s, RSS grew ${(imported.growthBytes / MiB).toFixed(0)} MiB`)
      expect(imported.imported).toEqual(['big.safetensors'])
      expect(imported.growthBytes).toBeLessThan(BUDGET)
      // The same bytes, and a checkpoint of the target that verifies (its block list written beside it).
      expect(await sha256Of(`${target}/big.safetensors`)).toBe(await sha256Of(`${source}/big.safetensors`))
      const index = await loadIndex(fsStorage(target))
      expect(index?.doc.checkpoints.map((e) => e.path)).toEqual(['big.safetensors'])
      expect(await verifyEntry(fsStorage(target), index!.doc.checkpoints[0]!)).toBeNull()
    })
  },
)
