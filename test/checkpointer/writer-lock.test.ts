import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { ckpt as cli } from '../cli/support.js'
import { bundleForChild } from '../support/bundle.js'
import { quiet, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)
let holder = ''
beforeAll(async () => {
  holder = await bundleForChild(fileURLToPath(new URL('./lock-holder.ts', import.meta.url)))
})

/** Starts a writer process on `dir` and resolves once it holds the lock. */
const startHolder = (dir: string): Promise<{ child: ChildProcess; pid: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [holder, dir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString())
      if (m) resolve({ child, pid: Number(m[1]) })
    })
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}): ${err}`)))
  })

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve))

describe('the writer lock: one writer process per folder', () => {
  it('a second writer process gets WriterLocked naming the owner; readers work meanwhile; a dead owner is taken over', async () => {
    const dir = `${tmp.dir}/two-writers`
    const { child, pid } = await startHolder(dir)
    try {
      const lines: string[] = []
      const second = await createCheckpointer({
        storage: fsStorage(dir),
        filepath: 'e{epoch}.safetensors',
        monitor: 'loss',
        log: (l) => lines.push(l),
      })
      // Opening and reading take no lock.
      expect((await second.list()).map((e) => e.path)).toEqual(['e1.safetensors'])
      expect((await second.restore()).entry.path).toBe('e1.safetensors')
      const err = await second.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1)).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(CkptError)
      expect((err as CkptError)._tag).toBe('WriterLocked')
      expect((err as CkptError).message).toContain(`process ${pid}`)
      expect((err as CkptError & { owner: { pid: number } }).owner.pid).toBe(pid)
      // Nothing of the refused save was written, and the owner's checkpoint is intact.
      expect((await second.list()).map((e) => e.path)).toEqual(['e1.safetensors'])
      // The CLI and a non-chief rank read without the lock.
      expect((await cli(['ls', dir])).code).toBe(0)
      expect((await cli(['verify', dir])).code).toBe(0)
      const rank1 = await createCheckpointer({
        storage: fsStorage(dir),
        filepath: 'e{epoch}.safetensors',
        monitor: 'loss',
        rank: 1,
        ...quiet,
      })
      expect((await rank1.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1))).saved).toBe(false)

      child.kill('SIGKILL')
      await exited(child)
      expect((await second.onEpochEnd({ epoch: 2, logs: { loss: 0.25 } }, tensorsFor(2))).saved).toBe(true)
      expect(
        lines.some((l) => l.includes(`taking over the writer lock "ckpt-writer.lock" of process ${pid}`) && l.includes('is gone')),
      ).toBe(true)
      expect((await second.list()).map((e) => e.path)).toEqual(['e1.safetensors', 'e3.safetensors'])
      await second.close()
      // close() released the lock.
      expect(await fsStorage(dir).stat('ckpt-writer.lock')).toBeNull()
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('within one process, Checkpointers on the same folder share the lock', async () => {
    const storage = memoryStorage()
    const a = await createCheckpointer({ storage, filepath: 'a{epoch}.safetensors', monitor: 'loss', ...quiet })
    await a.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    const b = await createCheckpointer({ storage, filepath: 'a{epoch}.safetensors', monitor: 'loss', ...quiet })
    expect((await b.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1))).saved).toBe(true)
  })

  it('writerLock: false takes no lock', async () => {
    const storage = memoryStorage()
    const c = await createCheckpointer({ storage, filepath: 'a{epoch}.safetensors', monitor: 'loss', writerLock: false, ...quiet })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    expect(await storage.stat('ckpt-writer.lock')).toBeNull()
  })
})
