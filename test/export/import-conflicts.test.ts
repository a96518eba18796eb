import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/checkpointer.js'
import { exportCheckpoint, exportRun, importCheckpoints } from '../../src/checkpointer/export/index.js'
import { endOfArchive, memberHeader, padded } from '../../src/checkpointer/export/tar-header.js'
import { emptyIndex, encodeIndex } from '../../src/checkpointer/index-file.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { bytesOf, concat, quiet, trainRun, weightsAt } from './support.js'

const contents = async (storage: Storage): Promise<Map<string, string>> => {
  const out = new Map<string, string>()
  for (const k of await storage.list()) out.set(k, Buffer.from(await storage.read(k)).toString('base64'))
  return out
}

const failure = (p: Promise<unknown>): Promise<CkptError> =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => {
      expect(CkptError.is(e), String(e)).toBe(true)
      return e as CkptError
    },
  )

describe('an import never replaces a checkpoint of the target, nor writes past its writer lock', () => {
  it('another checkpoint at the same path: ImportConflict naming it, the target untouched', async () => {
    const source = memoryStorage()
    await trainRun(source, 2)
    const target = memoryStorage()
    const ckpt = await createCheckpointer({ storage: target, filepath: 'ckpt/e{epoch:03d}.safetensors', monitor: 'loss', ...quiet })
    await ckpt.onEpochEnd({ epoch: 1, logs: { loss: 9 } }, weightsAt(77)) // ckpt/e002.safetensors, other bytes
    await ckpt.close()
    const before = await contents(target)
    const e = await failure(importCheckpoints(target, await bytesOf(await exportRun(source)), quiet))
    expect(e.error).toMatchObject({ _tag: 'ImportConflict', path: 'ckpt/e002.safetensors' })
    expect(e.message).toContain('the target holds another checkpoint at that path')
    expect(await contents(target)).toEqual(before)
  })

  it("a file of another of the target's checkpoints: ImportConflict naming the file", async () => {
    const target = memoryStorage()
    await trainRun(target, 1, { filepath: 'other/e{epoch:03d}.safetensors' })
    const before = await contents(target)
    // A checkpoint at a new path whose file is one of the target's (as a tfjs model.json owns its shards).
    const own = (await exportCheckpoint(target)).checkpoints[0]!
    const manifest = encodeIndex({ ...emptyIndex(null), checkpoints: [{ ...own, path: 'new/path.safetensors' }] })
    const file = await target.read(own.files[0]!.key)
    const archive = concat(
      memberHeader('ckpt-export.json', manifest.byteLength, 0),
      manifest,
      new Uint8Array(padded(manifest.byteLength) - manifest.byteLength),
      memberHeader(own.files[0]!.key, file.byteLength, 0),
      file,
      new Uint8Array(padded(file.byteLength) - file.byteLength),
      endOfArchive(),
    )
    const e = await failure(importCheckpoints(target, archive, quiet))
    expect(e.error).toMatchObject({ _tag: 'ImportConflict', path: 'new/path.safetensors', key: own.files[0]!.key })
    expect(await contents(target)).toEqual(before)
  })

  it('the same checkpoint again is left as it is (present), and the rest is imported', async () => {
    const source = memoryStorage()
    await trainRun(source, 3)
    const target = memoryStorage()
    await importCheckpoints(target, await bytesOf(await exportCheckpoint(source, 'ckpt/e002.safetensors')), quiet)
    const r = await importCheckpoints(target, await bytesOf(await exportRun(source)), quiet)
    expect(r.present.map((e) => e.path)).toEqual(['ckpt/e002.safetensors'])
    expect(r.imported.map((e) => e.path)).toEqual(['ckpt/e001.safetensors', 'ckpt/e003.safetensors'])
    const ckpt = await createCheckpointer({ storage: target, filepath: 'ckpt/e{epoch:03d}.safetensors', monitor: 'loss', ...quiet })
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['ckpt/e001.safetensors', 'ckpt/e002.safetensors', 'ckpt/e003.safetensors'])
    await ckpt.close()
  })

  it('a live writer elsewhere holds the folder: WriterLocked, nothing written; without it the import goes through', async () => {
    const source = memoryStorage()
    await trainRun(source, 1)
    const archive = await bytesOf(await exportRun(source))
    const target = memoryStorage()
    const now = Date.now()
    const owner = { host: 'another-host', pid: 4242, thread: 0, incarnation: 'feed', processStart: now, startedAt: now, heartbeat: now }
    await target.write('ckpt-writer.lock', new TextEncoder().encode(JSON.stringify(owner)))
    const before = await contents(target)
    const e = await failure(importCheckpoints(target, archive, quiet))
    expect(e.error).toMatchObject({ _tag: 'WriterLocked', owner: { pid: 4242 } })
    expect(await contents(target)).toEqual(before)
    // A stale lock is taken over, with a warning, and released after the import.
    const lines: string[] = []
    await importCheckpoints(target, archive, { log: (l) => lines.push(l), lockStaleAfter: 1 })
    expect(lines.join('\n')).toMatch(/taking over the writer lock/)
    expect(await target.stat('ckpt-writer.lock')).toBeNull()
  })

  it('a Checkpointer open on the target sees the import at its next save (conditional index writes), and keeps it', async () => {
    const source = memoryStorage()
    await trainRun(source, 2, { filepath: 'imported/e{epoch}.safetensors' })
    const target = memoryStorage()
    const ckpt = await createCheckpointer({ storage: target, filepath: 'mine/e{epoch}.safetensors', monitor: 'loss', ...quiet })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 }, time: 1_900_000_000_000 }, weightsAt(0))
    await importCheckpoints(target, await bytesOf(await exportRun(source)), quiet)
    await ckpt.onEpochEnd({ epoch: 1, logs: { loss: 0.5 }, time: 1_900_000_001_000 }, weightsAt(1))
    expect((await ckpt.list()).map((e) => e.path)).toEqual([
      'imported/e1.safetensors',
      'imported/e2.safetensors',
      'mine/e1.safetensors',
      'mine/e2.safetensors',
    ])
    await ckpt.close()
  })
})
