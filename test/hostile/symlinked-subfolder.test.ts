import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { StorageFailure } from '../../src/storage/errors.js'
import { fsStorage } from '../../src/storage/fs.js'
import { tempDir } from '../checkpointer/support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('a symlinked subfolder: reads and writes follow it, removal and pruning never go through it', () => {
  it('remove through it is refused, and nothing outside the root is deleted', async () => {
    const root = join(tmp.dir, 'root')
    const outside = join(tmp.dir, 'outside')
    mkdirSync(root, { recursive: true })
    mkdirSync(outside, { recursive: true })
    symlinkSync(outside, join(root, 'link'))
    const storage = fsStorage(root)
    await storage.write('link/sub/a.bin', new Uint8Array([1, 2, 3]))
    expect([...readFileSync(join(outside, 'sub', 'a.bin'))]).toEqual([1, 2, 3])
    expect([...(await storage.read('link/sub/a.bin'))]).toEqual([1, 2, 3])
    const err = await storage.remove('link/sub/a.bin').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageFailure)
    expect((err as StorageFailure)._tag).toBe('IOError')
    expect((err as StorageFailure).message).toContain('symlink')
    expect(existsSync(join(outside, 'sub', 'a.bin'))).toBe(true)
    expect(existsSync(join(outside, 'sub'))).toBe(true)
  })

  it('pruning stops at it: a folder emptied inside the root is pruned, one behind a symlink is not', async () => {
    const root = join(tmp.dir, 'root2')
    const outside = join(tmp.dir, 'outside2')
    mkdirSync(join(outside, 'empty'), { recursive: true })
    mkdirSync(root, { recursive: true })
    symlinkSync(outside, join(root, 'link'))
    const storage = fsStorage(root)
    await storage.write('plain/deep/a.bin', new Uint8Array([1]))
    await storage.remove('plain/deep/a.bin')
    expect(existsSync(join(root, 'plain'))).toBe(false)
    // A removal below the symlink is refused before anything is unlinked or pruned.
    await storage.write('link/empty/b.bin', new Uint8Array([1]))
    await expect(storage.remove('link/empty/b.bin')).rejects.toMatchObject({ _tag: 'IOError' })
    expect(existsSync(join(outside, 'empty'))).toBe(true)
  })
})
