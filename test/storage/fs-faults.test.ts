import * as nodeFs from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Volume } from 'memfs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StorageFailure } from '../../src/storage/errors.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { FsModule } from '../../src/storage/fs/fs-module.js'
import type { Storage, WriteOptions } from '../../src/storage/storage.js'
import { asyncChunks, expectFailure, fsFaults, inChunks, type FsOp } from '../../src/testing/index.js'

/** A place objects live, reachable by a faulty and by a clean storage, and listable for leftover files. */
interface Backend {
  readonly name: string
  fresh(): Promise<{ open: (wrapFs?: (fs: FsModule) => FsModule, staleTempAfterMs?: number) => Storage; files: () => Promise<string[]> }>
}

let root = ''
let counter = 0
beforeAll(async () => {
  root = await nodeFs.mkdtemp(join(tmpdir(), 'ckpt-fs-faults-'))
})
afterAll(async () => {
  await nodeFs.rm(root, { recursive: true, force: true })
})

const realFs: Backend = {
  name: 'fs',
  fresh: async () => {
    const dir = join(root, `d${++counter}`)
    return {
      open: (wrapFs, staleTempAfterMs) =>
        fsStorage(dir, { ...(wrapFs ? { wrapFs } : {}), ...(staleTempAfterMs === undefined ? {} : { staleTempAfterMs }) }),
      files: async () =>
        (await nodeFs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []))
          .filter((d) => d.isFile())
          .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
          .sort(),
    }
  },
}

const memory: Backend = {
  name: 'memory',
  fresh: async () => {
    const volume = new Volume()
    return {
      open: (wrapFs, staleTempAfterMs) =>
        memoryStorage({ volume, ...(wrapFs ? { wrapFs } : {}), ...(staleTempAfterMs === undefined ? {} : { staleTempAfterMs }) }),
      files: async () =>
        Object.keys(volume.toJSON())
          .filter((f) => volume.statSync(f).isFile())
          .map((f) => f.slice(1))
          .sort(),
    }
  },
}

const KEY = 'ckpt/model.bin'
const v1 = new Uint8Array(3000).fill(1)
const v2 = new Uint8Array(5000).fill(2)
const write2 = (s: Storage, key: string, options?: WriteOptions) => s.write(key, asyncChunks(inChunks(v2, [2000, 2000])), options)

/** How many calls of each op one clean write makes, after open. */
const opsOfOneWrite = async (backend: Backend, options?: WriteOptions): Promise<Record<FsOp, number>> => {
  const place = await backend.fresh()
  const faults = fsFaults([], { armed: false })
  const s = place.open(faults.wrap)
  await s.write(KEY, v1)
  faults.arm()
  await write2(s, options?.ifAbsent ? 'ckpt/new.bin' : KEY, options)
  return faults.counts()
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

for (const backend of [realFs, memory]) {
  describe(`fault injection: ${backend.name} (fsFaults)`, () => {
    for (const mode of ['plain', 'ifAbsent', 'ifMatch'] as const) {
      for (const crash of [false, true]) {
        it(`${mode} write: for every n, failing the n-th open/write/sync/stat/close/rename/link/mkdir ${crash ? 'as a crash ' : ''}leaves the previous object whole and nothing partial`, async () => {
          const counts = await opsOfOneWrite(backend, mode === 'ifAbsent' ? { ifAbsent: true } : undefined)
          const ops: FsOp[] = ['open', 'write', 'sync', 'stat', 'close', 'rename', 'link', 'mkdir']
          let cases = 0
          for (const op of ops) {
            for (let nth = 1; nth <= counts[op]; nth++) {
              for (const code of ['ENOSPC', 'EIO']) {
                cases++
                const place = await backend.fresh()
                const seed = place.open()
                const before = await seed.write(KEY, v1)
                await seed.write('other', v1)
                const faults = fsFaults({ op, nth, code, crash }, { armed: false })
                const s = place.open(faults.wrap)
                await s.open()
                faults.arm()
                const key = mode === 'ifAbsent' ? 'ckpt/new.bin' : KEY
                const options: WriteOptions | undefined =
                  mode === 'ifAbsent' ? { ifAbsent: true } : mode === 'ifMatch' ? { ifMatch: before.etag } : undefined
                const outcome = await write2(s, key, options).then(
                  () => null,
                  (e: unknown) => e,
                )
                const label = `${op} #${nth} ${code}${crash ? ' crash' : ''}`
                expect(faults.fired, label).toBe(true)
                if (outcome !== null) {
                  expect(outcome, label).toBeInstanceOf(StorageFailure)
                  expect((outcome as StorageFailure)._tag, label).toBe('IOError')
                  expect((outcome as StorageFailure).message, label).toContain(code)
                }
                // The commit point is the rename (or link): a fault before it keeps the old object, one after
                // it (the folder fsync) leaves the new one whole, and reports the error.
                const committed =
                  faults.counts().rename + faults.counts().link > 0 &&
                  op !== 'rename' &&
                  op !== 'link' &&
                  !(crash && faults.counts().link + faults.counts().rename === 0)
                const clean = crash ? place.open(undefined, 0) : place.open()
                // After a crash, the next writer's opening sweeps the temp files (readers never do).
                if (crash) await clean.open()
                const now = await clean.stat(key)
                if (mode === 'ifAbsent') {
                  if (now !== null) expect(same(await clean.read(key), v2), label).toBe(true)
                  if (!committed) expect(now, label).toBeNull()
                } else {
                  const bytes = await clean.read(key)
                  expect(same(bytes, committed ? v2 : v1), `${label}: ${bytes.byteLength} bytes`).toBe(true)
                }
                if (outcome === null) expect(same(await clean.read(key), v2), label).toBe(true)
                const keys = (await clean.list()).filter((k) => k !== key)
                expect(keys, label).toEqual(mode === 'ifAbsent' ? [KEY, 'other'] : ['other'])
                // No temp file is left behind: cleaned by the writer, or (after a crash) swept by the next writer.
                expect(
                  (await place.files()).filter((f) => f.includes('.ckpt~')),
                  label,
                ).toEqual([])
              }
            }
          }
          expect(cases).toBeGreaterThan(mode === 'ifAbsent' ? 12 : 14)
        })
      }
    }

    it("the writer's opening runs at the first write: for every n, failing its n-th stat/mkdir/open/close/link (or as a crash) fails that write with a typed IOError, changes nothing, and the next write opens again", async () => {
      // The calls of the opening alone (root check, mkdir, sweep, link probe), on a folder holding objects.
      const seeded = async () => {
        const place = await backend.fresh()
        const seed = place.open()
        const before = await seed.write(KEY, v1)
        await seed.write('other', v1)
        return { place, before }
      }
      const counting = fsFaults([])
      await (await seeded()).place.open(counting.wrap).open()
      const atOpen = counting.counts()
      const ops = ['stat', 'mkdir', 'open', 'close', 'link'] as const
      let cases = 0
      for (const op of ops) {
        for (let nth = 1; nth <= atOpen[op]; nth++) {
          for (const crash of [false, true]) {
            for (const mode of ['plain', 'ifAbsent', 'ifMatch'] as const) {
              cases++
              const label = `${mode} ${op} #${nth}${crash ? ' crash' : ''}`
              const { place, before } = await seeded()
              const faults = fsFaults({ op, nth, code: 'ENOSPC', crash })
              const s = place.open(faults.wrap)
              const key = mode === 'ifAbsent' ? 'ckpt/new.bin' : KEY
              const options: WriteOptions | undefined =
                mode === 'ifAbsent' ? { ifAbsent: true } : mode === 'ifMatch' ? { ifMatch: before.etag } : undefined
              const failure = await expectFailure(write2(s, key, options), 'IOError')
              expect(faults.fired, label).toBe(true)
              expect(failure.message, label).toContain('ENOSPC')
              expect(faults.counts().rename + faults.counts().link, `${label}: nothing committed`).toBeLessThanOrEqual(atOpen.link)
              const clean = place.open(undefined, 0)
              await clean.open()
              expect(same(await clean.read(KEY), v1), label).toBe(true)
              expect(await clean.list(), label).toEqual([KEY, 'other'])
              expect(
                (await place.files()).filter((f) => f.includes('.ckpt~')),
                label,
              ).toEqual([])
              if (crash) continue
              // A failed opening is not remembered: the same storage opens again (the fault fired once), with the true capabilities.
              await write2(s, key, mode === 'ifMatch' ? { ifMatch: before.etag } : options)
              expect(s.capabilities, label).toEqual({ ifAbsent: true, ifMatch: true })
              expect(same(await clean.read(key), v2), label).toBe(true)
            }
          }
        }
      }
      expect(atOpen.link, 'the opening probes hard links').toBe(1)
      expect(cases).toBeGreaterThanOrEqual(ops.length * 2 * 3)
    })

    it('a fault while reading is a typed IOError, and the object is unchanged', async () => {
      const place = await backend.fresh()
      await place.open().write(KEY, v1)
      for (const op of ['open', 'read', 'stat'] as const) {
        const faults = fsFaults({ op, nth: 1, code: 'EIO' }, { armed: false })
        const s = place.open(faults.wrap)
        await s.open()
        faults.arm()
        const failure = await s.read(KEY).then(
          () => null,
          (e: unknown) => e as StorageFailure,
        )
        expect(failure?._tag, op).toBe('IOError')
        expect(same(await s.read(KEY), v1)).toBe(true)
      }
    })

    it('a fault while listing or removing is a typed IOError', async () => {
      const place = await backend.fresh()
      await place.open().write(KEY, v1)
      const listFaults = fsFaults({ op: 'readdir', nth: 2, code: 'EIO' }, { armed: false })
      const s = place.open(listFaults.wrap)
      await s.open()
      listFaults.arm()
      await expect(s.list()).rejects.toMatchObject({ _tag: 'IOError' })
      const removeFaults = fsFaults({ op: 'unlink', nth: 1, code: 'EIO' }, { armed: false })
      const r = place.open(removeFaults.wrap)
      await r.open()
      removeFaults.arm()
      await expect(r.remove(KEY)).rejects.toMatchObject({ _tag: 'IOError' })
      expect(same(await r.read(KEY), v1)).toBe(true)
    })
  })
}
