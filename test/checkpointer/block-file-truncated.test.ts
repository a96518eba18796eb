// A file with block checksums truncated after the save: a ranged read that reaches past the cut is a
// CorruptCheckpoint whose message tells where the file ends truthfully: at the byte a read stopped at, or, when a
// read starting past the cut got nothing, at or before that read's first byte (never a later byte than the truth).
import { truncateSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { Tensors } from '../../src/tensors/index.js'
import { quiet, tempDir } from './support.js'

const MiB = 1 << 20
const PATH = 'm.safetensors'
const options = { filepath: PATH, monitor: 'loss', ...quiet } as const

/** About 4 MiB: `a` in the first two blocks, `c` in the last. */
const model = (): Tensors => ({
  a: { dtype: 'F32', shape: [512 * 1024], data: Float32Array.from({ length: 512 * 1024 }, (_, i) => i) },
  b: { dtype: 'F32', shape: [256 * 1024], data: Float32Array.from({ length: 256 * 1024 }, (_, i) => -i) },
  c: { dtype: 'F32', shape: [256 * 1024], data: Float32Array.from({ length: 256 * 1024 }, (_, i) => i / 2) },
})

describe('a file with block checksums truncated after the save', () => {
  const { dir, cleanup } = tempDir('ckpt-truncated-')
  afterAll(cleanup)

  it('a read past the cut names where the file ends, or the first byte it lacks, not a byte it does not reach', async () => {
    const ckpt = await createCheckpointer({ storage: fsStorage(dir), ...options })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, model())
    const message = (p: Promise<unknown>) =>
      p.then(
        () => 'restored',
        (e: unknown) => (e as Error).message,
      )

    truncateSync(join(dir, PATH), 2.5 * MiB)
    // The whole restore's read stops inside what is left: the file ends exactly there.
    expect(await message(ckpt.restore(PATH))).toContain(`file "${PATH}" ends at byte ${2.5 * MiB}, the index says`)

    truncateSync(join(dir, PATH), MiB)
    // `c` is read from its block, 3 MiB on, past the cut: nothing comes back from there.
    const got = await message(ckpt.restore(PATH, { tensors: ['c'] }))
    expect(got).toContain(`file "${PATH}" ends at or before byte ${3 * MiB}, the index says`)
    await ckpt.close()
  })
})
