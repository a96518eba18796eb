import { readFileSync, statfsSync } from 'node:fs'
import { freemem, tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runChild } from '../../hostile/support/child.js'
import { peakMeasurable } from '../../hostile/support/peak.js'
import { openPlace, type BigPlace, type BigStorage } from './big-place.js'

const GB = 1e9
const MiB = 2 ** 20
/** The budget: peak RSS of a save or a restore of N bytes is at most N + 256 MB. */
const RSS_ALLOWANCE = 256 * MiB

/** Memory the kernel says can be had without swapping (MemAvailable), else what Node reports free. */
const availableMemory = (): number => {
  try {
    const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))
    if (m !== null) return Number(m[1]) * 1024
  } catch {
    // not Linux: fall through
  }
  return freemem()
}

/** Why the suite cannot run here, or null: too little free disk or memory, or no way to measure the peak RSS. */
const whyNot = (bytes: number, diskBytes: number): string | null => {
  const fs = statfsSync(tmpdir())
  const free = fs.bavail * fs.bsize
  if (free < diskBytes) return `${tmpdir()} has ${(free / GB).toFixed(1)} GB free; the suite needs ${(diskBytes / GB).toFixed(1)} GB`
  const memory = availableMemory()
  if (memory < bytes + 1.5 * GB)
    return `${(memory / GB).toFixed(1)} GB of memory is available; the suite needs ${((bytes + 1.5 * GB) / GB).toFixed(1)} GB`
  if (!peakMeasurable()) return 'the peak RSS cannot be measured here (needs Linux /proc/self/clear_refs)'
  return null
}

interface Measured {
  readonly elapsedMs: number
  readonly peakBytes: number
  readonly growthBytes: number
}

const figures = (what: string, m: Measured, serverPeakBytes: number | null): string =>
  `${what}: ${(m.elapsedMs / 1000).toFixed(1)} s, peak RSS ${(m.peakBytes / MiB).toFixed(0)} MiB (grew ${(m.growthBytes / MiB).toFixed(0)} MiB)` +
  (serverPeakBytes === null ? '' : `; the S3 server's peak RSS ${(serverPeakBytes / MiB).toFixed(0)} MiB`)

/**
 * The large-checkpoint suite: one checkpoint of `bytes` bytes, saved once through the Checkpointer on `storage` (a
 * temp folder, or a bucket on s3rver) and shared by the cases below (deleted afterwards). Each operation runs in a
 * child of its own, which measures its time and peak RSS; the figures are printed (on S3 with the server's own
 * peak, which the budget does not count). Skipped, saying why, where `skip` says so or the machine has no room.
 */
export const bigCheckpointSuite = (
  label: string,
  bytes: number,
  options: { readonly storage: BigStorage; readonly diskBytes: number; readonly skip: string | null },
) => {
  const reason = options.skip ?? whyNot(bytes, options.diskBytes)
  const on = options.storage === 'fs' ? 'fs' : 'S3'
  if (reason !== null) console.log(`skipping the ${label} suite on ${on}: ${reason}`)
  // S3 moves every byte through HTTP and the server's disk as well: give its children twice as long.
  const timeoutMs = options.storage === 'fs' ? 900_000 : 1_800_000

  describe.skipIf(reason !== null)(`a ${label} checkpoint on ${on}`, { timeout: timeoutMs }, () => {
    let place: BigPlace | undefined
    let fileBytes = 0
    beforeAll(async () => {
      place = await openPlace(options.storage)
    })
    afterAll(async () => {
      await place?.close()
    })

    const child = async <R>(what: string, args: ReadonlyArray<string>): Promise<R & Measured> => {
      const [op, ...rest] = args
      place!.resetServerPeak()
      const outcome = await runChild('test/big/support/big-child.ts', [op!, place!.where, ...rest], {
        killAboveBytes: bytes + 2 * GB,
        timeoutMs,
      })
      if (outcome._tag !== 'Done') throw new Error(`child ${args.join(' ')}: ${JSON.stringify(outcome)}`)
      const m = outcome.report as R & Measured
      console.log(figures(`${label} ${what} on ${on}`, m, place!.serverPeakBytes()))
      return m
    }

    it(`saves through the Checkpointer with peak RSS at most N + 256 MiB`, async () => {
      const r = await child<Record<string, never>>('save', ['save', String(bytes)])
      fileBytes = await place!.size('big.safetensors')
      console.log(`${label} on ${on}: N = ${fileBytes} bytes`)
      expect(fileBytes).toBeGreaterThan(bytes)
      expect(r.peakBytes).toBeLessThanOrEqual(fileBytes + RSS_ALLOWANCE)
    })

    it('restores through the Checkpointer, every sampled word exact, into arrays of their own, with peak RSS at most N + 256 MiB', async () => {
      const r = await child<{ checked: number; wrong: ReadonlyArray<string> }>('restore', ['restore'])
      expect(r.wrong).toEqual([])
      expect(r.checked).toBeGreaterThan(100_000)
      expect(r.peakBytes).toBeLessThanOrEqual(fileBytes + RSS_ALLOWANCE)
    })

    it('ckpt verify checks it, in bounded memory', async () => {
      const r = await child<{ code: number; stdout: string }>('ckpt verify', ['cli', 'verify'])
      expect(r.stdout).toContain('OK       big.safetensors')
      expect(r.code).toBe(0)
      expect(r.growthBytes).toBeLessThan(RSS_ALLOWANCE)
    })

    it('a folder without its index opens: ckpt ls finds the checkpoint by scanning it, in bounded memory', async () => {
      await place!.remove('ckpt-index.json')
      const r = await child<{ code: number; stdout: string }>('ckpt ls without an index (scan)', ['cli', 'ls'])
      expect(r.stdout).toContain('rebuilt')
      expect(r.stdout).toContain('big.safetensors')
      expect(r.code).toBe(0)
      expect(r.growthBytes).toBeLessThan(RSS_ALLOWANCE)
      expect(await place!.exists('ckpt-index.json')).toBe(false)
    })
  })
}
