import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs'
import { freemem, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runChild } from '../../hostile/support/child.js'
import { peakMeasurable } from '../../hostile/support/peak.js'

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

const child = async <R>(args: ReadonlyArray<string>, bytes: number): Promise<R & Measured> => {
  const outcome = await runChild('test/big/support/big-child.ts', args, { killAboveBytes: bytes + 2 * GB, timeoutMs: 900_000 })
  if (outcome._tag !== 'Done') throw new Error(`child ${args.join(' ')}: ${JSON.stringify(outcome)}`)
  return outcome.report as R & Measured
}

const figures = (what: string, m: Measured): string =>
  `${what}: ${(m.elapsedMs / 1000).toFixed(1)} s, peak RSS ${(m.peakBytes / MiB).toFixed(0)} MiB (grew ${(m.growthBytes / MiB).toFixed(0)} MiB)`

/**
 * The large-checkpoint suite: one checkpoint of `bytes` bytes, saved once through the Checkpointer on fs and shared
 * by the cases below (deleted afterwards). Each operation runs in a child of its own, which measures its time and
 * peak RSS; the figures are printed. Skipped, saying why, where `skip` says so or the machine has no room.
 */
export const bigCheckpointSuite = (label: string, bytes: number, options: { readonly diskBytes: number; readonly skip: string | null }) => {
  const reason = options.skip ?? whyNot(bytes, options.diskBytes)
  if (reason !== null) console.log(`skipping the ${label} suite: ${reason}`)

  describe.skipIf(reason !== null)(`a ${label} checkpoint on fs`, { timeout: 900_000 }, () => {
    let dir = ''
    let fileBytes = 0
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'ckpt-big-'))
    })
    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true })
    })

    it(`saves through the Checkpointer with peak RSS at most N + 256 MiB`, async () => {
      const r = await child<Record<string, never>>(['save', dir, String(bytes)], bytes)
      fileBytes = statSync(join(dir, 'big.safetensors')).size
      console.log(figures(`${label} save (N = ${fileBytes} bytes)`, r))
      expect(fileBytes).toBeGreaterThan(bytes)
      expect(r.peakBytes).toBeLessThanOrEqual(fileBytes + RSS_ALLOWANCE)
    })

    it('restores through the Checkpointer, every sampled word exact, into arrays of their own, with peak RSS at most N + 256 MiB', async () => {
      const r = await child<{ checked: number; wrong: ReadonlyArray<string> }>(['restore', dir], bytes)
      console.log(figures(`${label} restore`, r))
      expect(r.wrong).toEqual([])
      expect(r.checked).toBeGreaterThan(100_000)
      expect(r.peakBytes).toBeLessThanOrEqual(fileBytes + RSS_ALLOWANCE)
    })

    it('ckpt verify checks it, in bounded memory', async () => {
      const r = await child<{ code: number; stdout: string }>(['cli', dir, 'verify'], bytes)
      console.log(figures(`${label} ckpt verify`, r))
      expect(r.stdout).toContain('OK       big.safetensors')
      expect(r.code).toBe(0)
      expect(r.growthBytes).toBeLessThan(RSS_ALLOWANCE)
    })

    it('a folder without its index opens: ckpt ls finds the checkpoint by scanning it, in bounded memory', async () => {
      rmSync(join(dir, 'ckpt-index.json'))
      const r = await child<{ code: number; stdout: string }>(['cli', dir, 'ls'], bytes)
      console.log(figures(`${label} ckpt ls without an index (scan)`, r))
      expect(r.stdout).toContain('rebuilt')
      expect(r.stdout).toContain('big.safetensors')
      expect(r.code).toBe(0)
      expect(r.growthBytes).toBeLessThan(RSS_ALLOWANCE)
      expect(existsSync(join(dir, 'ckpt-index.json'))).toBe(false)
    })
  })
}
