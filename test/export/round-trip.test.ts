import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/checkpointer.js'
import { exportCheckpoint, exportRun, importCheckpoints } from '../../src/checkpointer/export/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { tempDir } from '../checkpointer/support.js'
import { bytesOf, quiet, trainRun, weightsAt } from './support.js'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

const targets: ReadonlyArray<[string, () => Storage]> = [
  ['memory', () => memoryStorage()],
  [
    'fs',
    () => {
      const t = tempDir('ckpt-import-')
      cleanups.push(t.cleanup)
      return fsStorage(`${t.dir}/run`)
    },
  ],
]

const restore = async (storage: Storage, which: string) => {
  const ckpt = await createCheckpointer({ storage, filepath: 'ckpt/e{epoch:03d}.safetensors', monitor: 'loss', ...quiet })
  try {
    return await ckpt.restore(which)
  } finally {
    await ckpt.close()
  }
}

describe.each(targets)('export → import into %s storage → restore', (_name, makeTarget) => {
  it('one checkpoint (latest, best, a path): restored bit for bit, with its own entry', async () => {
    const source = memoryStorage()
    // 300,000 weights: a file of more than one 1 MiB block, so block checksums and their list travel too.
    await trainRun(source, 5, {}, 300_000)
    for (const [which, epoch] of [
      ['latest', 4],
      ['best', 3],
      ['ckpt/e002.safetensors', 1],
    ] as const) {
      const archive = await exportCheckpoint(source, which)
      expect(archive.checkpoints.map((e) => e.epoch)).toEqual([epoch])
      const bytes = await bytesOf(archive)
      expect(bytes.byteLength).toBe(archive.size)
      const target = makeTarget()
      const result = await importCheckpoints(target, bytes, quiet)
      expect(result.imported.map((e) => e.path)).toEqual([archive.checkpoints[0]!.path])
      const back = await restore(target, 'latest')
      expect(back.entry).toEqual(archive.checkpoints[0])
      expect(back.value).toEqual(weightsAt(epoch, 300_000))
    }
  })

  it('a whole run, through every kind of source: the same checkpoints, each restoring, and the same policy state', async () => {
    const source = memoryStorage()
    await trainRun(source, 4)
    const run = await exportRun(source)
    const bytes = await bytesOf(run)
    const original = await createCheckpointer({ storage: source, filepath: 'ckpt/e{epoch:03d}.safetensors', monitor: 'loss', ...quiet })
    const sources = [
      () => bytes,
      () => run, // an AsyncIterable
      () => run.stream(), // a web ReadableStream
      () => new Blob([bytes]), // a File from a file picker is a Blob
      () => new Response(run.stream()), // a fetch
      () => [bytes.subarray(0, 1000), bytes.subarray(1000)], // an iterable of chunks
    ]
    for (const s of sources) {
      const target = makeTarget()
      await importCheckpoints(target, s(), quiet)
      const ckpt = await createCheckpointer({ storage: target, filepath: 'ckpt/e{epoch:03d}.safetensors', monitor: 'loss', ...quiet })
      expect(await ckpt.list()).toEqual(await original.list())
      expect(ckpt.state).toEqual(original.state)
      for (const e of await ckpt.list()) expect((await ckpt.restore(e.path)).value).toEqual(weightsAt(e.epoch))
      await ckpt.close()
    }
    await original.close()
  })

  it('the export is the same bytes each time, and importing it again changes nothing', async () => {
    const source = memoryStorage()
    await trainRun(source, 3)
    const first = await bytesOf(await exportRun(source))
    expect(await bytesOf(await exportRun(source))).toEqual(first)
    const target = makeTarget()
    expect((await importCheckpoints(target, first, quiet)).imported).toHaveLength(3)
    const again = await importCheckpoints(target, first, quiet)
    expect(again).toMatchObject({ imported: [], present: [{ epoch: 0 }, { epoch: 1 }, { epoch: 2 }] })
  })
})
