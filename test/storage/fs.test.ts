import { spawnSync } from 'node:child_process'
import * as nodeFs from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FsModule } from '../../src/storage/fs/fs-module.js'
import { TEMP_INCARNATION } from '../../src/storage/fs/temp.js'
import { fsStorage } from '../../src/storage/fs.js'
import { asyncChunks, inChunks, conformance, expectFailure } from '../../src/testing/index.js'

let root = ''
let counter = 0
const freshDir = () => join(root, `s${++counter}`)

beforeAll(async () => {
  root = await nodeFs.mkdtemp(join(tmpdir(), 'ckpt-fs-test-'))
})
afterAll(async () => {
  await nodeFs.rm(root, { recursive: true, force: true })
})

conformance({ name: 'fs (real temp folder)', make: () => fsStorage(freshDir()) }, { describe, it, expect })

/** Every call to the fs module, in order, as "op path". */
const recording =
  (log: string[]) =>
  (fs: FsModule): FsModule => ({
    open: async (p, flags, mode) => {
      log.push(`open(${flags}) ${p}`)
      const h = await fs.open(p, flags, mode)
      return {
        write: (b, o, l, pos) => (log.push(`write ${l}`), h.write(b, o, l, pos)),
        read: (b, o, l, pos) => h.read(b, o, l, pos),
        sync: () => (log.push(`sync ${p}`), h.sync()),
        stat: (o) => h.stat(o),
        close: () => h.close(),
      }
    },
    mkdir: (p, o) => (log.push(`mkdir ${p}`), fs.mkdir(p, o)),
    rename: (a, b) => (log.push(`rename ${a} -> ${b}`), fs.rename(a, b)),
    link: (a, b) => (log.push(`link ${a} -> ${b}`), fs.link(a, b)),
    unlink: (p) => (log.push(`unlink ${p}`), fs.unlink(p)),
    rmdir: (p) => (log.push(`rmdir ${p}`), fs.rmdir(p)),
    readdir: (p, o) => fs.readdir(p, o),
    stat: (p, o) => fs.stat(p, o),
    lstat: (p, o) => fs.lstat(p, o),
  })

const files = async (dir: string): Promise<string[]> =>
  (await nodeFs.readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort()

describe('fsStorage', () => {
  it('returns the storage synchronously; reads of a missing folder find nothing and create nothing, the first write creates it', async () => {
    const dir = join(freshDir(), 'nested', 'deeper')
    const storage = fsStorage(dir)
    expect(storage).not.toBeInstanceOf(Promise)
    await expect(nodeFs.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(await storage.list()).toEqual([])
    expect(await storage.stat('a/b')).toBeNull()
    await expectFailure(storage.read('a/b'), 'NotFound')
    await expect(nodeFs.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' })
    await storage.write('a/b', new Uint8Array([1]))
    expect(await files(dir)).toEqual(['a/b'])
    expect(() => fsStorage('')).toThrow(/dir must be a non-empty folder path/)
  })

  it('refuses a root that is a file, reading or writing, with IOError', async () => {
    const file = freshDir()
    await nodeFs.writeFile(file, 'not a folder')
    const storage = fsStorage(file)
    const listed = await expectFailure(storage.list(), 'IOError')
    expect(listed.message).toContain('is not a folder')
    await expectFailure(storage.stat('a'), 'IOError')
    await expectFailure(storage.write('a', new Uint8Array([1])), 'IOError')
    expect(await nodeFs.readFile(file, 'utf8')).toBe('not a folder')
  })

  it('writes each chunk as it comes to a temp file in the same folder, fsyncs it, renames it, then fsyncs the folder', async () => {
    const dir = freshDir()
    const log: string[] = []
    const storage = fsStorage(dir, { wrapFs: recording(log) })
    await storage.open()
    log.length = 0
    const bytes = new Uint8Array(3000).fill(5)
    await storage.write('run/model.bin', asyncChunks(inChunks(bytes, [1000, 1500])))
    const temp = /^open\(wx\) (.*\/run\/\.ckpt~tmp\.\d+\.[0-9a-f]+\.[0-9a-f]+)$/.exec(log[1] ?? '')?.[1]
    expect(temp, log.join('\n')).toBeDefined()
    expect(log).toEqual([
      `mkdir ${join(dir, 'run')}`,
      `open(wx) ${temp}`,
      'write 1000',
      'write 1500',
      'write 500',
      `sync ${temp}`,
      `rename ${temp} -> ${join(dir, 'run', 'model.bin')}`,
      `open(r) ${join(dir, 'run')}`,
      `sync ${join(dir, 'run')}`,
    ])
    expect(await files(dir)).toEqual(['run/model.bin'])
  })

  it('creates with ifAbsent by hard-linking the finished temp file (never replacing), then drops the temp name', async () => {
    const dir = freshDir()
    const log: string[] = []
    const storage = fsStorage(dir, { wrapFs: recording(log) })
    await storage.open()
    log.length = 0
    await storage.write('a', new Uint8Array([1]), { ifAbsent: true })
    expect(log.some((l) => l.startsWith('link '))).toBe(true)
    expect(log.some((l) => l.startsWith('rename '))).toBe(false)
    await expectFailure(storage.write('a', new Uint8Array([2]), { ifAbsent: true }), 'AlreadyExists')
    expect(await files(dir)).toEqual(['a'])
    expect(Array.from(await storage.read('a'))).toEqual([1])
  })

  it('declares no ifAbsent on a file system without hard links, and refuses it with Unsupported', async () => {
    const noLinks = (fs: FsModule): FsModule => ({
      ...fs,
      open: (p, f, m) => fs.open(p, f, m),
      link: async () => {
        throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' })
      },
    })
    const storage = fsStorage(freshDir(), { wrapFs: noLinks })
    expect(await storage.open()).toEqual({ ifAbsent: false, ifMatch: true })
    await expectFailure(storage.write('a', new Uint8Array([1]), { ifAbsent: true }), 'Unsupported')
    expect(await storage.list()).toEqual([])
  })

  it('a folder that refuses the link probe (no write permission) opens without ifAbsent instead of failing, and reads', async () => {
    const dir = freshDir()
    await fsStorage(dir).write('a', new Uint8Array([1]))
    const denied = (fs: FsModule): FsModule => ({
      ...fs,
      open: async (p, f, m) => {
        if (f === 'wx') throw Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' })
        return fs.open(p, f, m)
      },
    })
    const storage = fsStorage(dir, { wrapFs: denied })
    expect(await storage.open()).toEqual({ ifAbsent: false, ifMatch: true })
    expect(Array.from(await storage.read('a'))).toEqual([1])
    const failure = await expectFailure(storage.write('b', new Uint8Array([2])), 'IOError')
    expect(failure.message).toContain('EACCES')
  })

  it('the first write removes temp files of dead writers, of an earlier process with our pid, and stale ones; reads remove none and show none', async () => {
    const dir = freshDir()
    await nodeFs.mkdir(join(dir, 'sub'), { recursive: true })
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    const live = `.ckpt~tmp.${process.pid}.${TEMP_INCARNATION}.abcd`
    const deadTemp = join(dir, 'sub', `.ckpt~tmp.${dead}.0badcafe.00ff`)
    // A restarted container's process often gets the crashed one's pid (e.g. 1): the incarnation tells them apart.
    const samePidEarlierTemp = join(
      dir,
      'sub',
      `.ckpt~tmp.${process.pid}.${TEMP_INCARNATION === '0badcafe' ? '1badcafe' : '0badcafe'}.cafe`,
    )
    const liveTemp = join(dir, live)
    const staleTemp = join(dir, 'sub', `.ckpt~tmp.${process.pid}.${TEMP_INCARNATION}.beef`)
    for (const f of [deadTemp, samePidEarlierTemp, liveTemp, staleTemp]) await nodeFs.writeFile(f, 'partial')
    const old = new Date(Date.now() - 2 * 3600_000)
    await nodeFs.utimes(staleTemp, old, old)
    await nodeFs.writeFile(join(dir, 'sub', 'real'), 'whole')
    const storage = fsStorage(dir)
    const all = await files(dir)
    expect(await storage.list()).toEqual(['sub/real'])
    expect(await storage.stat('sub/real')).not.toBeNull()
    await expectFailure(storage.read(live), 'InvalidKey')
    expect(await files(dir), 'a reader sweeps nothing').toEqual(all)
    await storage.write('sub/new', new Uint8Array([1]))
    expect(await files(dir)).toEqual([live, 'sub/new', 'sub/real'])
    const everything = fsStorage(dir, { staleTempAfterMs: 0 })
    await everything.open()
    expect(await files(dir)).toEqual(['sub/new', 'sub/real'])
  })

  it('refuses a key whose folder path is an object, or that is a folder of other keys, with Unsupported', async () => {
    const storage = fsStorage(freshDir())
    await storage.write('a', new Uint8Array([1]))
    await storage.write('d/x', new Uint8Array([2]))
    const f1 = await expectFailure(storage.write('a/b', new Uint8Array([3])), 'Unsupported')
    expect(f1.message).toContain('"a/b"')
    await expectFailure(storage.write('d', new Uint8Array([4])), 'Unsupported')
    expect(await storage.stat('d')).toBeNull()
    await expectFailure(storage.read('d'), 'NotFound')
    await storage.remove('d')
    expect(await storage.list()).toEqual(['a', 'd/x'])
  })

  it('never writes outside its folder, whatever the key', async () => {
    const parent = freshDir()
    const dir = join(parent, 'inside')
    const storage = fsStorage(dir)
    await storage.open()
    for (const key of ['../outside', 'a/../../outside', '/tmp/outside', '..\\outside', 'a/./b']) {
      await expectFailure(storage.write(key, new Uint8Array([1])), 'InvalidKey')
    }
    expect(await nodeFs.readdir(parent)).toEqual(['inside'])
    expect(await files(dir)).toEqual([])
  })

  it('etags change on replace and are stable while the object is unchanged', async () => {
    const storage = fsStorage(freshDir())
    const a = await storage.write('k', new Uint8Array([1]))
    expect((await storage.stat('k'))?.etag).toBe(a.etag)
    expect((await storage.stat('k'))?.etag).toBe(a.etag)
    const b = await storage.write('k', new Uint8Array([1]))
    expect(b.etag).not.toBe(a.etag)
  })
})
