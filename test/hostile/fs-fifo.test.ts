import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { expectFailure } from '../../src/testing/expect-failure.js'
import { quiet, tensorsFor } from '../checkpointer/support.js'
import { ckpt, tempDir } from '../cli/support.js'

const tmp = tempDir('ckpt-hostile-fifo-')
afterAll(tmp.cleanup)

const mkfifo = (path: string): void => {
  execFileSync('mkfifo', [path])
}

/** Rejects when `p` has not settled within `ms`: a blocked open would otherwise hang the test (and a libuv thread). */
const within = <T>(p: Promise<T>, ms = 5_000): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms).unref())])

describe('fs storage refuses FIFOs and other non-regular files, in bounded time', () => {
  it('read, readStream, stat: IOError "not a regular file"', async () => {
    const dir = join(tmp.dir, 'keys')
    mkdirSync(dir, { recursive: true })
    mkfifo(join(dir, 'pipe.bin'))
    const s = fsStorage(dir)
    for (const f of [
      await expectFailure(within(s.read('pipe.bin')), 'IOError'),
      await expectFailure(within(s.readStream('pipe.bin')), 'IOError'),
      await expectFailure(within(s.stat('pipe.bin')), 'IOError'),
    ])
      expect(f.message).toContain('not a regular file')
    await s.close()
  })

  it('ckpt verify reports an indexed checkpoint replaced by a FIFO as corrupt, and ends', async () => {
    const dir = join(tmp.dir, 'run')
    const c = await createCheckpointer({ storage: fsStorage(dir), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    await c.close()
    unlinkSync(join(dir, 'e1.safetensors'))
    mkfifo(join(dir, 'e1.safetensors'))
    const r = await within(ckpt(['verify', dir]))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('not a regular file')
    const again = await createCheckpointer({ storage: fsStorage(dir), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
    await expect(within(again.restore())).rejects.toThrow(/not a regular file|no checkpoint/)
    await again.close()
  })

  it('an index that is a FIFO is a clear error at open, not a hang', async () => {
    const dir = join(tmp.dir, 'fifo-index')
    mkdirSync(dir, { recursive: true })
    mkfifo(join(dir, INDEX_KEY))
    const error = await within(
      createCheckpointer({ storage: fsStorage(dir), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet }).then(
        () => null,
        (e: unknown) => e,
      ),
    )
    expect(String(error)).toContain('not a regular file')
    const r = await within(ckpt(['ls', dir]))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('not a regular file')
  })

  it('an index that is a dangling symlink is a clear error, not 16 retries', async () => {
    const dir = join(tmp.dir, 'dangling-index')
    mkdirSync(dir, { recursive: true })
    symlinkSync(join(dir, 'nowhere.json'), join(dir, INDEX_KEY))
    writeFileSync(join(dir, 'keep.txt'), 'x')
    const c = await within(createCheckpointer({ storage: fsStorage(dir), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet }))
    const error = await within(
      c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0)).then(
        () => null,
        (e: unknown) => e,
      ),
    )
    await c.close().catch(() => undefined)
    expect(String(error)).not.toContain('kept changing')
    expect(String(error)).toMatch(/symbolic link|symlink/)
  })
})
