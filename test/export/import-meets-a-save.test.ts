import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/checkpointer.js'
import { exportRun, importCheckpoints } from '../../src/checkpointer/export/index.js'
import { padded, TAR_BLOCK } from '../../src/checkpointer/export/tar-header.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { bytesOf, quiet, trainRun, weightsAt } from './support.js'

describe('an import that meets a save of this process (which shares the writer lock)', () => {
  it('never overwrites the file of a checkpoint committed after the import read the index', async () => {
    const source = memoryStorage()
    await trainRun(source, 2) // ckpt/e001 and ckpt/e002
    const archive = await exportRun(source)
    const bytes = await bytesOf(archive)
    const last = archive.checkpoints[1]!.files[0]!
    expect(last.key).toBe('ckpt/e002.safetensors')
    // Where the member of ckpt/e002.safetensors starts: one header block, its data padded, then tar's end.
    const split = bytes.byteLength - 2 * TAR_BLOCK - padded(last.size) - TAR_BLOCK

    const target = memoryStorage()
    const ckpt = await createCheckpointer({ storage: target, filepath: 'ckpt/e{epoch:03d}.safetensors', monitor: 'loss', ...quiet })
    let saved: Uint8Array | null = null
    // The archive streams in; after the manifest was read (and the target's index with it) the training in this
    // process saves its own epoch 2, at the same path, with other weights.
    async function* slowly(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, split)
      await ckpt.onEpochEnd({ epoch: 1, logs: { loss: 9 } }, weightsAt(77))
      saved = (await target.read('ckpt/e002.safetensors')).slice()
      yield bytes.subarray(split)
    }
    const e = await importCheckpoints(target, slowly(), quiet).then(
      () => null,
      (x: unknown) => x,
    )
    expect(CkptError.is(e), String(e)).toBe(true)
    expect((e as CkptError).error).toMatchObject({ _tag: 'ImportConflict', path: 'ckpt/e002.safetensors' })
    // The committed checkpoint keeps its own bytes, and restores.
    expect(saved).not.toBeNull()
    expect(Buffer.from(await target.read('ckpt/e002.safetensors')).equals(saved!), 'the saved file was overwritten').toBe(true)
    expect((await ckpt.list()).map((c) => c.path)).toEqual(['ckpt/e002.safetensors'])
    expect((await ckpt.restore()).value).toEqual(weightsAt(77))
    await ckpt.close()
  })
})
