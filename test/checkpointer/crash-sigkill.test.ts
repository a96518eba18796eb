import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer, verifyEntry } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { bundleForChild } from '../support/bundle.js'
import { CRASH_MODES, type CrashMode } from './crash-modes.js'
import { tempDir } from './support.js'

/** Kills per kind; CKPT_CRASH_KILLS sets them all (the defaults keep the suite near 60 s on 2 cores). */
const KILLS: Readonly<Record<CrashMode, number>> = {
  safetensors: 12,
  'safetensors-sharded': 8,
  'index-compaction': 10,
  'keras-weights': 8,
  'keras-model': 8,
  'tfjs-layers': 8,
}
const killsOf = (mode: CrashMode): number => Number(process.env.CKPT_CRASH_KILLS ?? KILLS[mode])
let writer = ''

/** Runs the writer, SIGKILLs it `afterMs` after its first commit, and returns the last epoch whose commit returned. */
const runAndKill = (dir: string, mode: CrashMode, afterMs: number): Promise<number | null> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] })
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
  beforeAll(async () => {
    writer = await bundleForChild(fileURLToPath(new URL('./crash-writer.ts', import.meta.url)))
  })

  it.each(Object.keys(CRASH_MODES) as CrashMode[])(
    '%s: after each kill at a random moment, every indexed checkpoint verifies and restores, and the last committed save is there',
    async (mode) => {
      const { dir, cleanup } = tempDir(`ckpt-crash-${mode}-`)
      const setup = CRASH_MODES[mode]
      const serializer = await setup.serializer()
      const kills = killsOf(mode)
      let lastCommitted: number | null = null
      let killedMidWrite = 0
      let adopted = 0
      try {
        for (let i = 0; i < kills; i++) {
          const committed = await runAndKill(dir, mode, Math.floor(Math.random() * 60))
          if (committed !== null) lastCommitted = committed
          if (walk(dir).some((f) => f.includes('.ckpt~'))) killedMidWrite++

          const storage = fsStorage(dir)
          const ckpt = await createCheckpointer<unknown, unknown>({
            storage,
            ...setup.options,
            ...(serializer !== undefined ? { serializer } : {}),
            log: () => {},
          })
          const entries = await ckpt.list()
          for (const e of entries) expect(await verifyEntry(storage, e), `kill ${i}: ${e.path}`).toBeNull()
          const epochs = entries.map((e) => e.epoch)
          if (lastCommitted !== null) {
            if (setup.options.saveBestOnly === true) {
              // One file, overwritten in place: the last committed save, or the next one if the kill fell between its
              // overwrite and its commit (adopted on open: the previous version is gone).
              expect(epochs.length, `kill ${i}`).toBe(1)
              expect([lastCommitted, lastCommitted + 1], `kill ${i}`).toContain(epochs[0])
              if (epochs[0] === lastCommitted + 1) adopted++
            } else expect(epochs, `kill ${i}`).toContain(lastCommitted)
          }
          if (entries.length > 0) {
            const restored = await ckpt.restore('latest')
            expect(restored.skipped).toEqual([])
            expect(await setup.firstValue(restored.value), `kill ${i}`).toBe(restored.entry.epoch)
          }
          // The next writer's opening (at its first write, or now) sweeps every temporary file a killed writer left.
          await storage.open()
          expect(
            walk(dir).filter((f) => f.includes('.ckpt~')),
            `kill ${i}`,
          ).toEqual([])
          await ckpt.close()
        }
      } finally {
        cleanup()
      }
      console.log(
        `crash test (${mode}): ${kills} kills, ${killedMidWrite} left a temporary file behind (killed mid-write)` +
          `${setup.options.saveBestOnly === true ? `, ${adopted} adopted an overwrite the kill left uncommitted` : ''}; last committed epoch ${lastCommitted}`,
      )
    },
    120_000,
  )
})
