// A folder written by the ckpt before block checksums (index format version 2, each file with one SHA-256: the
// fixture was written by main's ckpt of the time, scratch script in the commit message) still opens, lists,
// restores and verifies; a partial restore reads its file whole to verify it, and says so; a new save beside its
// checkpoints records blocks, and the folder stays whole.
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer, verifyEntry } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { Tensors } from '../../src/tensors/index.js'
import { readCounting, tensorsDigest } from './read-counting-storage.js'
import { tempDir } from './support.js'

const FIXTURE = new URL('../fixtures/index-v2-folder/', import.meta.url)

/** The tensors the fixture's writer saved at `epoch`. */
const saved = (epoch: number): Tensors => ({
  big: { dtype: 'F32', shape: [640, 1024], data: Float32Array.from({ length: 640 * 1024 }, (_, i) => ((i + epoch) % 251) - 125) },
  small: { dtype: 'I32', shape: [10], data: Int32Array.from({ length: 10 }, (_, i) => i * 10 + epoch) },
})

const options = { filepath: 'run/epoch_{epoch:02d}.safetensors', monitor: 'loss' } as const
const { dir, cleanup } = tempDir('ckpt-v2-fixture-')
afterAll(cleanup)
let n = 0
/** A fresh copy of the fixture folder. */
const copy = (): string => {
  const to = join(dir, `c${++n}`)
  cpSync(FIXTURE, to, { recursive: true })
  return to
}

describe('a folder from before block checksums (index version 2)', () => {
  it('is read as it was written: whole-file SHA-256 records, version 2', () => {
    const head = JSON.parse(readFileSync(new URL('ckpt-index.json', FIXTURE), 'utf8')) as {
      version: number
      checkpoints: Array<{ files: Array<Record<string, unknown>> }>
    }
    expect(head.version).toBe(2)
    for (const e of head.checkpoints) for (const f of e.files) expect(Object.keys(f).sort()).toEqual(['key', 'sha256', 'size'])
  })

  it('opens, lists, restores and verifies every checkpoint', async () => {
    const storage = fsStorage(copy())
    const ckpt = await createCheckpointer({ storage, ...options, log: () => {} })
    const listed = await ckpt.list()
    expect(listed.map((e) => e.path)).toEqual(['run/epoch_01.safetensors', 'run/epoch_02.safetensors', 'run/epoch_03.safetensors'])
    for (const e of listed) expect(await verifyEntry(storage, e)).toBeNull()
    expect(tensorsDigest((await ckpt.restore()).value)).toEqual(tensorsDigest(saved(2)))
    expect(tensorsDigest((await ckpt.restore('run/epoch_01.safetensors')).value)).toEqual(tensorsDigest(saved(0)))
    await ckpt.close()
  })

  it('a partial restore reads the file whole to verify it (it has no block checksums), notes it, and keeps only the tensors asked for', async () => {
    const folder = copy()
    const counted = readCounting(fsStorage(folder))
    const lines: string[] = []
    const ckpt = await createCheckpointer({ storage: counted.storage, ...options, log: (l) => lines.push(l) })
    const r = await ckpt.restore('latest', { tensors: ['small'] })
    expect(tensorsDigest(r.value)).toEqual(tensorsDigest({ small: saved(2).small! }))
    const size = (await ckpt.latest())!.files[0]!.size
    expect(counted.bytesOf('run/epoch_03.safetensors')).toBe(size)
    expect(lines).toContain(
      'Note: checkpoint "run/epoch_03.safetensors" has no block checksums (saved by an older ckpt): its files were read whole to verify the tensors restored',
    )
    // Its header names are trusted only once the file verified: unknown names are reported after the whole read.
    await expect(ckpt.restore('latest', { tensors: ['nope'] })).rejects.toMatchObject({ _tag: 'UnknownTensors', unknown: ['nope'] })

    // A flipped byte far from the tensor asked for is still found: the file is checked whole.
    const file = join(folder, 'run/epoch_03.safetensors')
    const bytes = readFileSync(file)
    bytes[bytes.length - 100]! ^= 1
    writeFileSync(file, bytes)
    const older = await ckpt.restore('latest', { tensors: ['small'] })
    expect(older.entry.path).toBe('run/epoch_02.safetensors')
    expect(older.skipped.map((s) => s.path)).toEqual(['run/epoch_03.safetensors'])
    await ckpt.close()
  })

  it('takes a save with block checksums beside its checkpoints; the index becomes version 3 and everything still verifies', async () => {
    const folder = copy()
    const storage = fsStorage(folder)
    const ckpt = await createCheckpointer({ storage, ...options, log: () => {} })
    await ckpt.onEpochEnd({ epoch: 3, logs: { loss: 0.1 } }, saved(3))
    await ckpt.close()
    const head = JSON.parse(readFileSync(join(folder, 'ckpt-index.json'), 'utf8')) as { version: number }
    expect(head.version).toBe(3)
    const again = await createCheckpointer({ storage, ...options, log: () => {} })
    const listed = await again.list()
    expect(listed.map((e) => e.path)).toEqual([
      'run/epoch_01.safetensors',
      'run/epoch_02.safetensors',
      'run/epoch_03.safetensors',
      'run/epoch_04.safetensors',
    ])
    const newest = listed.at(-1)!
    expect(newest.files.map((f) => Object.keys(f).sort())).toEqual([
      ['blocks', 'key', 'size'],
      ['key', 'sha256', 'size'],
    ])
    for (const e of listed) expect(await verifyEntry(storage, e)).toBeNull()
    expect(tensorsDigest((await again.restore()).value)).toEqual(tensorsDigest(saved(3)))
    expect(tensorsDigest((await again.restore('run/epoch_02.safetensors', { tensors: ['big'] })).value)).toEqual(
      tensorsDigest({ big: saved(1).big! }),
    )
    await again.close()
  })
})
