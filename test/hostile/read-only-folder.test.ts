import { execFileSync } from 'node:child_process'
import { mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt as cli } from '../cli/support.js'
import { tempDir, tensorsFor } from '../checkpointer/support.js'

const tmp = tempDir()
const source = join(tmp.dir, 'source')
const mounted = join(tmp.dir, 'read-only')

/** A read-only bind mount of `source` (as root); why it cannot be made otherwise. */
const readOnlyMount = (): string | null => {
  try {
    mkdirSync(mounted, { recursive: true })
    execFileSync('mount', ['--bind', source, mounted], { stdio: 'pipe' })
    execFileSync('mount', ['-o', 'remount,bind,ro', mounted], { stdio: 'pipe' })
    return null
  } catch (e) {
    return `a read-only bind mount needs root and mount(8): ${(e as Error).message.split('\n')[0]}`
  }
}

let skip: string | null = null
beforeAll(async () => {
  const c = await createCheckpointer({ storage: fsStorage(source), filepath: 'e{epoch}.safetensors', monitor: 'loss', log: () => {} })
  for (const epoch of [0, 1]) await c.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch))
  await c.close()
  skip = readOnlyMount()
  if (skip !== null) console.log(`read-only folder tests skipped: ${skip}`)
})
afterAll(() => {
  if (skip === null) execFileSync('umount', [mounted])
  tmp.cleanup()
})

describe('a read-only folder (a read-only bind mount)', () => {
  it('reads, lists, restores and verifies; a save fails with a typed error naming the cause', async (ctx) => {
    if (skip !== null) return ctx.skip()
    const storage = fsStorage(mounted)
    expect([...(await storage.list())].sort()).toEqual(['ckpt-index.json', 'e1.safetensors', 'e2.safetensors'])
    expect(await storage.stat('e1.safetensors')).not.toBeNull()
    // The writer's opening: the link probe is refused, which leaves ifAbsent undeclared instead of failing.
    expect(await fsStorage(mounted).open()).toEqual({ ifAbsent: false, ifMatch: true })
    const c = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', log: () => {} })
    expect((await c.restore()).entry.path).toBe('e2.safetensors')
    const err = await c.onEpochEnd({ epoch: 2, logs: { loss: 0.1 } }, tensorsFor(2)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CkptError)
    expect((err as Error).message).toMatch(/EROFS|read-only/i)
    const rank1 = await createCheckpointer({
      storage: fsStorage(mounted),
      filepath: 'e{epoch}.safetensors',
      monitor: 'loss',
      rank: 1,
      log: () => {},
    })
    expect((await rank1.list()).length).toBe(2)
    const mtime = statSync(mounted).mtimeMs
    expect((await cli(['ls', mounted])).code).toBe(0)
    expect((await cli(['verify', mounted])).code).toBe(0)
    expect(statSync(mounted).mtimeMs).toBe(mtime)
  })
})
