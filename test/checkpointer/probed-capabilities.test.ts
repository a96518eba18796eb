import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { storageIOHandler } from '../../src/adapters/tfjs/index.js'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import type { FsModule } from '../../src/storage/fs/fs-module.js'
import { fsStorage } from '../../src/storage/fs.js'
import { s3Storage } from '../../src/storage/s3.js'
import { startS3rver, storageOptions, type S3Server } from '../storage/servers.js'
import { tempDir, tensorsFor } from './support.js'

// A storage learns its capabilities at its first write (the fs link probe, the S3 conditions probe): until
// then `capabilities` says what a compliant backend has. A writer whose first write is conditional must choose
// the condition from what the probe found, or the adapter refuses it with Unsupported.

/** A file system without hard links (some FUSE or FAT mounts): `link` fails with EPERM. */
const noLinks = (fs: FsModule): FsModule => ({
  ...fs,
  open: (p, f, m) => fs.open(p, f, m),
  link: async () => {
    throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' })
  },
})

const options = { filepath: 'e{epoch}.safetensors', monitor: 'loss' } as const
const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))
const folder = (): string => {
  const { dir, cleanup } = tempDir('ckpt-probed-')
  cleanups.push(cleanup)
  return dir
}

describe('writers choose their conditions from the probed capabilities', () => {
  for (const writerLock of [true, false]) {
    it(`fs without hard links: saves without create-only writes${writerLock ? ', warning that a second writer goes undetected' : ' (no writer lock)'}`, async () => {
      const dir = folder()
      const lines: string[] = []
      const storage = fsStorage(dir, { wrapFs: noLinks })
      const ckpt = await createCheckpointer({ storage, ...options, writerLock, log: (l) => lines.push(l) })
      expect(storage.capabilities.ifAbsent, 'not probed before the first write').toBe(true)
      for (const epoch of [0, 1])
        expect((await ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch))).committed).toBe(true)
      expect(storage.capabilities).toEqual({ ifAbsent: false, ifMatch: true })
      expect(lines.some((l) => l.includes('cannot create a file exclusively'))).toBe(writerLock)
      await ckpt.close()
      const reader = await createCheckpointer({ storage: fsStorage(dir), ...options, isChief: false, log: () => {} })
      expect((await reader.list()).map((e) => e.path)).toEqual(['e1.safetensors', 'e2.safetensors'])
    })
  }

  it('fs without hard links: a chief rebuilds a lost index, its first write', async () => {
    const dir = folder()
    const first = await createCheckpointer({ storage: fsStorage(dir), ...options, log: () => {} })
    for (const epoch of [0, 1]) await first.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch))
    await first.close()
    rmSync(join(dir, 'ckpt-index.json'))
    const lines: string[] = []
    const storage = fsStorage(dir, { wrapFs: noLinks })
    const chief = await createCheckpointer({ storage, ...options, log: (l) => lines.push(l) })
    expect(lines.some((l) => l.startsWith('Rebuilt the lost index from 2 checkpoint(s)'))).toBe(true)
    expect((await chief.list()).map((e) => e.path)).toEqual(['e1.safetensors', 'e2.safetensors'])
    expect(storage.capabilities.ifAbsent).toBe(false)
  })

  describe('S3 without conditional writes (s3rver ignores them)', () => {
    let server: S3Server | undefined
    beforeAll(async () => {
      server = await startS3rver()
    })
    afterAll(async () => server?.stop())

    it('a new writer whose first write is the index update of an overwrite sends no If-Match', async () => {
      const at = storageOptions(server!)
      const overwriting = { filepath: 'model.safetensors', monitor: 'loss', writerLock: false, log: () => {} } as const
      const first = await createCheckpointer({ storage: s3Storage(at), ...overwriting })
      await first.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
      await first.close()
      const storage = s3Storage(at)
      const next = await createCheckpointer({ storage, ...overwriting })
      expect((await next.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1))).committed).toBe(true)
      expect(storage.capabilities).toEqual({ ifAbsent: false, ifMatch: false })
      expect((await next.restore()).value).toEqual(tensorsFor(1))
      await next.close()
    })

    it("the tfjs IOHandler's first write, a model.json commit with no weight file, over a previous one sends no If-Match", async () => {
      const at = storageOptions(server!)
      const artifacts = { modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightSpecs: [] }
      await storageIOHandler(s3Storage(at), 'm/model.json').save!(artifacts)
      const storage = s3Storage(at)
      const saved = await storageIOHandler(storage, 'm/model.json').save!({ ...artifacts, format: 'layers-model' })
      expect(saved.errors).toBeUndefined()
      expect(storage.capabilities).toEqual({ ifAbsent: false, ifMatch: false })
      expect(JSON.parse(new TextDecoder().decode(await storage.read('m/model.json')))).toMatchObject({ format: 'layers-model' })
    })
  })
})
