import { describe, expect, it } from 'vitest'
import { createCheckpointer, exportCheckpoint, exportRun, importCheckpoints, INDEX_KEY } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { quiet, tensorsFor } from './support.js'

/** Epoch 4 improves: its regular checkpoint and last are saved at the same event. */
const losses = [0.5, 0.3, 0.4, 0.2]

describe('saveLast: how last is recorded, replaced and found', () => {
  it('the entry and the artifact carry last: true, so an index rebuilt by a scan still knows it (latest, never best)', async () => {
    const storage = memoryStorage()
    const options = { storage, filepath: 'r/z{epoch}.safetensors', saveBestOnly: true, saveLast: true, ...quiet }
    const first = await createCheckpointer(options)
    for (const [epoch, val_loss] of losses.entries())
      await first.onEpochEnd({ epoch, logs: { val_loss }, time: 1000 + epoch }, tensorsFor(epoch))
    const before = await first.list()
    // The regular checkpoint of an event comes before its last, in the index and once rebuilt (a scan finds r/last first).
    expect(before.map((e) => [e.path, e.epoch, e.last ?? false])).toEqual([
      ['r/z1.safetensors', 0, false],
      ['r/z2.safetensors', 1, false],
      ['r/z4.safetensors', 3, false],
      ['r/last.safetensors', 3, true],
    ])
    const index = JSON.parse(new TextDecoder().decode(await storage.read(INDEX_KEY))) as { checkpoints: unknown[] }
    expect(index.checkpoints.at(-1)).toMatchObject({ last: true })
    await first.close()

    await storage.remove(INDEX_KEY)
    const rebuilt = await createCheckpointer(options)
    expect(await rebuilt.list()).toEqual(before)
    expect((await rebuilt.latest())?.path).toBe('r/last.safetensors')
    expect((await rebuilt.best())?.path).toBe('r/z4.safetensors')
    expect((await rebuilt.restore('latest')).value).toEqual(tensorsFor(3))
    await rebuilt.close()
  })

  it('an archive keeps it: exportRun and importCheckpoints; exportCheckpoint("best") never picks it', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: 'r/e{epoch}.safetensors', saveBestOnly: true, saveLast: true, ...quiet })
    for (const [epoch, val_loss] of losses.entries())
      await ckpt.onEpochEnd({ epoch, logs: { val_loss }, time: 1000 + epoch }, tensorsFor(epoch))
    expect((await exportCheckpoint(storage, 'best')).checkpoints.map((e) => e.path)).toEqual(['r/e4.safetensors'])
    expect((await exportCheckpoint(storage, 'latest')).checkpoints.map((e) => e.path)).toEqual(['r/last.safetensors'])
    const target = memoryStorage()
    await importCheckpoints(target, await exportRun(storage), quiet)
    const imported = await createCheckpointer({ storage: target, filepath: 'r/e{epoch}.safetensors', saveLast: true, ...quiet })
    expect((await imported.list()).map((e) => [e.path, e.last ?? false])).toEqual((await ckpt.list()).map((e) => [e.path, e.last ?? false]))
    expect((await imported.best())?.path).toBe('r/e4.safetensors')
  })

  it('each checkpoint of an event gets its own snapshot: a snapshot function is called once per checkpoint written', async () => {
    const ckpt = await createCheckpointer({
      storage: memoryStorage(),
      filepath: 'r/e{epoch}.safetensors',
      saveBestOnly: true,
      saveLast: true,
      ...quiet,
    })
    const calls: number[] = []
    for (const [epoch, val_loss] of losses.entries())
      await ckpt.onEpochEnd({ epoch, logs: { val_loss } }, () => {
        calls.push(epoch)
        return tensorsFor(epoch)
      })
    // Epochs 1, 2 and 4 improve (regular and last), epoch 3 does not (last only).
    expect(calls).toEqual([0, 0, 1, 1, 2, 3, 3])
  })

  it("a regular save that fails writes no last either: the previous last stays, and the failure is the save's", async () => {
    const inner = memoryStorage()
    let failing = false
    const storage = {
      ...inner,
      write: (key: string, ...rest: Parameters<typeof inner.write> extends [string, ...infer R] ? R : never) =>
        failing && key === 'r/e4.safetensors' ? Promise.reject(new Error('EIO: injected')) : inner.write(key, ...rest),
    }
    const ckpt = await createCheckpointer({ storage, filepath: 'r/e{epoch}.safetensors', saveBestOnly: true, saveLast: true, ...quiet })
    for (const [epoch, val_loss] of [0.5, 0.3, 0.4].entries()) await ckpt.onEpochEnd({ epoch, logs: { val_loss } }, tensorsFor(epoch))
    failing = true
    await expect(ckpt.onEpochEnd({ epoch: 3, logs: { val_loss: 0.2 } }, tensorsFor(3))).rejects.toThrow(/EIO: injected/)
    expect((await ckpt.list()).map((e) => [e.path, e.epoch])).toEqual([
      ['r/e1.safetensors', 0],
      ['r/e2.safetensors', 1],
      ['r/last.safetensors', 2],
    ])
    expect((await ckpt.restore('latest')).value).toEqual(tensorsFor(2))
  })

  it('a corrupt last is passed over by restore("latest"), to the newest regular checkpoint', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: 'r/e{epoch}.safetensors', saveBestOnly: true, saveLast: true, ...quiet })
    for (const [epoch, val_loss] of [0.5, 0.3, 0.4].entries()) await ckpt.onEpochEnd({ epoch, logs: { val_loss } }, tensorsFor(epoch))
    const bytes = await storage.read('r/last.safetensors')
    bytes[bytes.length - 1]! ^= 1
    await storage.write('r/last.safetensors', bytes)
    const restored = await ckpt.restore('latest')
    expect(restored.entry.path).toBe('r/e2.safetensors')
    expect(restored.skipped.map((s) => s.path)).toEqual(['r/last.safetensors'])
    expect(restored.value).toEqual(tensorsFor(1))
  })

  it('a template lastFilepath: each save opportunity writes a new last and removes the previous one', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({
      storage,
      filepath: 'r/e{epoch}.safetensors',
      saveBestOnly: true,
      saveLast: true,
      lastFilepath: 'resume/last-e{epoch:02d}.safetensors',
      ...quiet,
    })
    for (const [epoch, val_loss] of losses.entries()) {
      const out = await ckpt.onEpochEnd({ epoch, logs: { val_loss }, time: 1000 + epoch }, tensorsFor(epoch))
      expect(out.last).toBe(`resume/last-e${String(epoch + 1).padStart(2, '0')}.safetensors`)
    }
    await ckpt.flush()
    expect((await ckpt.list()).filter((e) => e.last).map((e) => e.path)).toEqual(['resume/last-e04.safetensors'])
    expect(await storage.list('resume/')).toEqual(['resume/last-e04.safetensors'])
  })

  it('the version counter is for regular checkpoints: last is rewritten at its path', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: 'best.safetensors', saveLast: true, enableVersionCounter: true, ...quiet })
    for (const epoch of [0, 1, 2]) await ckpt.onEpochEnd({ epoch, logs: { val_loss: 1 } }, tensorsFor(epoch))
    expect((await ckpt.list()).map((e) => [e.path, e.last ?? false])).toEqual([
      ['best.safetensors', false],
      ['best-v1.safetensors', false],
      ['best-v2.safetensors', false],
      ['last.safetensors', true],
    ])
  })

  it("a regular checkpoint and last never take each other's path: the save fails, naming the clash, and both stay", async () => {
    const storage = memoryStorage()
    // Epoch 1 puts last at m-2; epoch 2's regular checkpoint renders m-2 too.
    const ckpt = await createCheckpointer({
      storage,
      filepath: 'm-{loss:.0f}.safetensors',
      monitor: 'loss',
      saveLast: true,
      lastFilepath: 'm-{acc:.0f}.safetensors',
      ...quiet,
    })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1, acc: 2 } }, tensorsFor(0))
    const e = await ckpt.onEpochEnd({ epoch: 1, logs: { loss: 2, acc: 3 } }, tensorsFor(1)).catch((x: unknown) => x)
    expect(e).toMatchObject({ _tag: 'PolicyError' })
    expect((e as Error).message).toBe(
      'filepath rendered "m-2.safetensors", the path of the last checkpoint (saveLast): give lastFilepath a path filepath never renders',
    )
    const e2 = await ckpt.onEpochEnd({ epoch: 2, logs: { loss: 4, acc: 1 } }, tensorsFor(2)).catch((x: unknown) => x)
    expect((e2 as Error).message).toBe(
      'lastFilepath rendered "m-1.safetensors", the path of a regular checkpoint (of epoch 1): give lastFilepath a path filepath never renders',
    )
    expect((await ckpt.list()).map((x) => [x.path, x.epoch, x.last ?? false])).toEqual([
      ['m-1.safetensors', 0, false],
      ['m-2.safetensors', 0, true],
      ['m-4.safetensors', 2, false],
    ])
  })

  it('maxShardSize needs a .safetensors lastFilepath too', async () => {
    await expect(
      createCheckpointer({
        storage: memoryStorage(),
        filepath: 'c-{epoch}/model.safetensors',
        maxShardSize: '1MB',
        saveLast: true,
        lastFilepath: 'last/model.bin',
        ...quiet,
      }),
    ).rejects.toMatchObject({ _tag: 'ConfigError', option: 'lastFilepath', value: 'last/model.bin' })
  })
})
