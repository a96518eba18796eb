import { spawnSync } from 'node:child_process'
import { lstatSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { expectFailure, fsFaults } from '../../src/testing/index.js'
import { ckpt as cli } from '../cli/support.js'
import { tempDir, tensorsFor } from '../checkpointer/support.js'

const tmp = tempDir('ckpt-reads-write-nothing-')
const dir = tmp.dir
const options = { filepath: 'run/e{epoch}.safetensors', monitor: 'loss', log: () => {} } as const
/** A crashed writer's temp file: sweeping it is a writer's work, not a reader's. */
const deadTemp = join('run', `.ckpt~tmp.${spawnSync(process.execPath, ['-e', '0']).pid}.0badcafe.00ff`)
/** A fixed past time: any write to a folder or file moves its mtime off it, whatever the clock's granularity. */
const PAST = new Date('2001-02-03T04:05:06Z')

/** Every entry below `root` (the root included) with its type, size and mtime, deepest first. */
const tree = (root: string): ReadonlyArray<{ path: string; kind: string; size: bigint; mtimeNs: bigint }> => {
  const out: Array<{ path: string; kind: string; size: bigint; mtimeNs: bigint }> = []
  const visit = (rel: string) => {
    const st = lstatSync(join(root, rel), { bigint: true })
    if (st.isDirectory()) for (const name of readdirSync(join(root, rel)).sort()) visit(join(rel, name))
    out.push({
      path: rel,
      kind: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other',
      size: st.isFile() ? st.size : 0n,
      mtimeNs: st.mtimeNs,
    })
  }
  visit('')
  return out
}

/** Sets every mtime below `root` to PAST (deepest first: a file's utimes does not touch its folder). */
const age = (root: string): void => {
  for (const { path } of tree(root)) utimesSync(join(root, path), PAST, PAST)
}

beforeAll(async () => {
  const c = await createCheckpointer({ storage: fsStorage(dir), ...options })
  for (const epoch of [0, 1, 2]) await c.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch))
  await c.close()
  writeFileSync(join(dir, deadTemp), 'partial')
  age(dir)
})
afterAll(() => tmp.cleanup())

describe('reading a writable checkpoint folder writes nothing', () => {
  it('ckpt ls, ckpt verify, storage reads, and readers and a chief that has not saved yet leave every entry and mtime as it was', async () => {
    const before = tree(dir)
    expect(before.every((e) => e.mtimeNs === BigInt(PAST.getTime()) * 1_000_000n)).toBe(true)
    expect(before.map((e) => e.path)).toContain(deadTemp)

    expect((await cli(['ls', dir])).code).toBe(0)
    expect((await cli(['verify', dir])).code).toBe(0)
    expect((await cli(['ls', '--json', dir])).code).toBe(0)

    const storage = fsStorage(dir)
    expect(await storage.list('run/')).toEqual(['run/e1.safetensors', 'run/e2.safetensors', 'run/e3.safetensors'])
    expect(await storage.stat('run/e1.safetensors')).not.toBeNull()
    expect(await storage.stat('absent/key')).toBeNull()
    expect((await storage.read('ckpt-index.json')).byteLength).toBeGreaterThan(0)
    for await (const chunk of await storage.readStream('run/e1.safetensors')) expect(chunk.byteLength).toBeGreaterThan(0)

    const reader = await createCheckpointer({ storage: fsStorage(dir), ...options, isChief: false })
    expect((await reader.restore()).entry.path).toBe('run/e3.safetensors')
    expect((await reader.restore('best')).value).toEqual(tensorsFor(2))
    await reader.close()

    const rank1 = await createCheckpointer({ storage: fsStorage(dir), ...options, rank: 1 })
    expect((await rank1.list()).length).toBe(3)
    await rank1.close()

    // A chief opens (reads the index, finds nothing to recover) and restores before its first save.
    const chief = await createCheckpointer({ storage: fsStorage(dir), ...options })
    expect((await chief.restore()).value).toEqual(tensorsFor(2))
    await chief.close()

    expect(tree(dir)).toEqual(before)
  })

  it('the first save probes, once, and capabilities and ifAbsent hold afterwards', async () => {
    const counted = fsFaults([])
    const storage = fsStorage(dir, { wrapFs: counted.wrap })
    const writer = await createCheckpointer({ storage, ...options })
    expect(await writer.list()).toHaveLength(3)
    const { link, mkdir, rename, unlink } = counted.counts()
    expect({ link, mkdir, rename, unlink }, 'nothing is written before the first save').toEqual({ link: 0, mkdir: 0, rename: 0, unlink: 0 })

    const saved = await writer.onEpochEnd({ epoch: 3, logs: { loss: 0.1 } }, tensorsFor(3))
    expect(saved.committed).toBe(true)
    expect(storage.capabilities).toEqual({ ifAbsent: true, ifMatch: true })
    expect(await storage.open()).toEqual({ ifAbsent: true, ifMatch: true })
    // The writer's opening swept the crashed writer's temp file.
    expect(readdirSync(join(dir, 'run'))).not.toContain(deadTemp.slice('run/'.length))
    await writer.close()

    // Concurrent first writes of a fresh storage share one probe: one link for it, one per create.
    const fresh = fsFaults([])
    const second = fsStorage(dir, { wrapFs: fresh.wrap })
    await Promise.all([
      second.write('a', new Uint8Array([1]), { ifAbsent: true }),
      second.write('b', new Uint8Array([2]), { ifAbsent: true }),
    ])
    expect(fresh.counts().link).toBe(3)
    await expectFailure(second.write('a', new Uint8Array([3]), { ifAbsent: true }), 'AlreadyExists')
    expect(Array.from(await second.read('a'))).toEqual([1])
  })
})
