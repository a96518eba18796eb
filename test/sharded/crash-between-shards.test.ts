import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpointer, verifyEntry } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { decodeSafetensors } from '../../src/tensors/index.js'
import { fsFaults, type FsOp } from '../../src/testing/index.js'
import { quiet, tempDir } from '../checkpointer/support.js'
import { f32Tensors, filesUnder } from './support.js'

// Four shards a save (four tensors of 4 KiB, 5,000-byte shards), then the index file: a crash can land between any two.
const options = { filepath: 'run/e{epoch}/model.safetensors', monitor: 'loss', maxShardSize: 5000, ...quiet } as const
const SIZES = [1024, 1024, 1024, 1024]
const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

/** A folder holding one committed sharded checkpoint (epoch 0). */
const baseline = async (): Promise<string> => {
  const { dir, cleanup } = tempDir('ckpt-shard-crash-')
  cleanups.push(cleanup)
  const ckpt = await createCheckpointer({ storage: fsStorage(dir), ...options })
  await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, f32Tensors(SIZES, 0))
  await ckpt.close()
  return dir
}

/** Opens `dir` as the next run would, and checks what it lists: each entry whole, verifying, restoring its own tensors. */
const reopen = async (dir: string) => {
  const storage = fsStorage(dir)
  const ckpt = await createCheckpointer({ storage, ...options })
  const entries = await ckpt.list()
  for (const e of entries) {
    expect(await verifyEntry(storage, e), e.path).toBeNull()
    expect(e.files.map((f) => f.key.slice(f.key.lastIndexOf('/') + 1))).toEqual([
      'model-00001-of-00004.safetensors',
      'model-00002-of-00004.safetensors',
      'model-00003-of-00004.safetensors',
      'model-00004-of-00004.safetensors',
      'model.safetensors.index.json',
    ])
  }
  if (entries.length > 0) {
    const latest = await ckpt.restore('latest')
    expect(latest.value).toEqual(f32Tensors(SIZES, latest.entry.epoch))
  }
  return { ckpt, entries }
}

describe('a sharded save cut short by a crash', () => {
  for (const op of ['rename', 'write', 'sync'] as const satisfies ReadonlyArray<FsOp>) {
    it(`at the n-th ${op} of the save, for every n: the previous checkpoint restores, no partial one is listed or rebuilt`, async () => {
      let crashes = 0
      for (let nth = 1; nth <= 60; nth++) {
        const dir = await baseline()
        const faults = fsFaults({ op, nth, crash: true }, { armed: false })
        const ckpt = await createCheckpointer({ storage: fsStorage(dir, { wrapFs: faults.wrap }), ...options })
        faults.arm()
        const saved = await ckpt.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, f32Tensors(SIZES, 1)).then(
          () => true,
          () => false,
        )
        if (!faults.fired) {
          expect(saved).toBe(true)
          break
        }
        crashes++
        const { ckpt: next, entries } = await reopen(dir)
        // The new checkpoint is listed only if its index entry landed, and then whole (checked by reopen).
        expect([[0], [0, 1]]).toContainEqual(entries.map((e) => e.epoch))
        await next.close()

        // A lost index is rebuilt from complete checkpoints only: shards without their index are not one.
        rmSync(join(dir, 'ckpt-index.json'))
        const rebuilt = await reopen(dir)
        const epochs = rebuilt.entries.map((e) => e.epoch)
        expect(epochs[0]).toBe(0)
        const written = filesUnder(dir).filter((f) => f.startsWith('run/e2/'))
        // Epoch 1 (folder e2) comes back only when its index file, written last, is there.
        expect(epochs.includes(1)).toBe(written.includes('run/e2/model.safetensors.index.json'))
        await rebuilt.ckpt.close()
      }
      // Every step of the save was cut at least once: four shards and the index, each a write, sync and rename.
      expect(crashes).toBeGreaterThanOrEqual(5)
    })
  }

  it('at the n-th rename of an overwrite in place, for every n: the old version while no shard was replaced, the new once all were, never a mix', async () => {
    const best = { ...options, filepath: 'best/model.safetensors', saveBestOnly: true } as const
    const outcomes = new Set<string>()
    for (let nth = 1; nth <= 30; nth++) {
      const { dir, cleanup } = tempDir('ckpt-shard-overwrite-')
      cleanups.push(cleanup)
      const first = await createCheckpointer({ storage: fsStorage(dir), ...best })
      await first.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, f32Tensors(SIZES, 0))
      await first.close()
      const faults = fsFaults({ op: 'rename', nth, crash: true }, { armed: false })
      const ckpt = await createCheckpointer({ storage: fsStorage(dir, { wrapFs: faults.wrap }), ...best })
      faults.arm()
      await ckpt.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, f32Tensors(SIZES, 1)).catch(() => undefined)
      if (!faults.fired) break
      // Which save each shard on disk belongs to, by the entry data it carries.
      const epochs = filesUnder(dir)
        .filter((f) => /^best\/model-\d{5}-of-\d{5}\.safetensors$/.test(f))
        .map((f) => {
          const shard = decodeSafetensors(readFileSync(join(dir, f)))
          if (E.isLeft(shard)) throw new Error(shard.left.message)
          return (JSON.parse(shard.right.metadata.ckpt!) as { epoch: number }).epoch
        })
      const { ckpt: next, entries } = await reopen(dir)
      const listed = entries.map((e) => e.epoch)
      if (epochs.every((e) => e === 0)) expect(listed, `rename ${nth}`).toEqual([0])
      else if (epochs.every((e) => e === 1)) expect(listed, `rename ${nth}`).toEqual([1])
      else expect(listed, `rename ${nth}: shards of both saves`).toEqual([])
      outcomes.add(listed.join())
      await next.close()
    }
    // The three outcomes all happened: old version kept, new adopted, and the gap in between.
    expect([...outcomes].sort()).toEqual(['', '0', '1'])
  })
})
