import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer, verifyEntry } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { bundleForChild } from '../support/bundle.js'
import { tempDir } from './support.js'

const KILLS = Number(process.env.CKPT_CRASH_KILLS ?? 50)
let writer = ''

/** Runs the writer, SIGKILLs it after `afterMs`, and returns the last epoch whose commit returned. */
const runAndKill = (dir: string, afterMs: number): Promise<number | null> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let timer: NodeJS.Timeout | undefined
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      // Start the clock at the first commit, so kills land in the write loop rather than in start-up.
      if (timer === undefined) timer = setTimeout(() => child.kill('SIGKILL'), afterMs)
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited on its own (code ${code}): ${err}`))
      const epochs = [...out.matchAll(/^committed (\d+) /gm)].map((m) => Number(m[1]))
      resolve(epochs.length > 0 ? epochs[epochs.length - 1]! : null)
    })
  })

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]))

describe('crash consistency under SIGKILL', () => {
  const { dir, cleanup } = tempDir('ckpt-crash-')
  afterAll(cleanup)
  beforeAll(async () => {
    writer = await bundleForChild(fileURLToPath(new URL('./crash-writer.ts', import.meta.url)))
  })

  it(`after each of ${KILLS} kills at random moments, every indexed checkpoint restores and the last committed one is there`, async () => {
    let lastCommitted: number | null = null
    let killedMidWrite = 0
    for (let i = 0; i < KILLS; i++) {
      const committed = await runAndKill(dir, Math.floor(Math.random() * 60))
      if (committed !== null) lastCommitted = committed
      if (walk(dir).some((f) => f.includes('.ckpt~'))) killedMidWrite++

      const storage = fsStorage(dir)
      const ckpt = await createCheckpointer({
        storage,
        filepath: 'ckpt/e{epoch:04d}.safetensors',
        monitor: 'loss',
        maxToKeep: 3,
        log: () => {},
      })
      const entries = await ckpt.list()
      for (const e of entries) expect(await verifyEntry(storage, e), `kill ${i}: ${e.path}`).toBeNull()
      if (lastCommitted !== null)
        expect(
          entries.map((e) => e.epoch),
          `kill ${i}`,
        ).toContain(lastCommitted)
      const restored = await ckpt.restore('latest')
      expect(restored.skipped).toEqual([])
      expect((restored.value.w!.data as Float32Array)[0]).toBe(restored.entry.epoch)
      // Opening swept every temporary file a killed writer left.
      await storage.list()
      expect(
        walk(dir).filter((f) => f.includes('.ckpt~')),
        `kill ${i}`,
      ).toEqual([])
      await ckpt.close()
    }
    console.log(
      `crash test: ${KILLS} kills, ${killedMidWrite} left a temporary file behind (killed mid-write); last committed epoch ${lastCommitted}`,
    )
  }, 600_000)
})
