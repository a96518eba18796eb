import { cp, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import type { ChildJob } from './resume-child.js'
import { useResumeChild } from './support/resume-child-runner.js'
import { BACKENDS, dataset, tinyModel, weightBytes } from './support/fixtures.js'
import { checkpointOptions, FIRST_PART, FIT, maskTokens, RESUME_OPTIMIZERS, TOTAL_EPOCHS } from './support/resume-setup.js'

const child = useResumeChild('ckpt-tfjs-resume-')

/** What must match between an uninterrupted and a resumed run: the kept files, and the index entries and state. */
const kept = async (storage: Storage) => {
  const index = await loadIndex(storage)
  return {
    keys: maskTokens(await storage.list()),
    entries: index?.doc.checkpoints.map(({ path, epoch, step, batch, metrics, score, policyState, format }) => ({
      path,
      epoch,
      step,
      batch,
      metrics,
      score,
      policyState,
      format,
    })),
    policyState: index?.doc.policyState,
    ranking: index?.doc.ranking,
  }
}

const base64 = (bytes: Record<string, Uint8Array>): Record<string, string> =>
  Object.fromEntries(Object.entries(bytes).map(([k, b]) => [k, Buffer.from(b).toString('base64')]))

describe.each(BACKENDS)('exact resume on %s (shuffle: false)', (backend) => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  /** Per optimizer: the uninterrupted run's final weights and kept files, and the fs folder of an interrupted run. */
  const straight = new Map<string, { weights: Record<string, string>; kept: Awaited<ReturnType<typeof kept>>; dir: string }>()
  beforeAll(async () => {
    await useBackend(backend)
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  it.each(RESUME_OPTIMIZERS)(
    `%s: ${FIRST_PART} epochs, restoreLatest into a fresh model object, continue to ${TOTAL_EPOCHS}: bitwise-identical weights, same files kept`,
    async (name, make) => {
      const uninterrupted = tinyModel(make())
      const interrupted = tinyModel(make())
      interrupted.setWeights(uninterrupted.getWeights())

      const full = memoryStorage()
      await uninterrupted.fit(data.x, data.y, { ...FIT, epochs: TOTAL_EPOCHS, callbacks: [modelCheckpoint(checkpointOptions(full))] })

      const dir = join(child.root, `${backend}-${name}`)
      const first = fsStorage(dir, { fsync: false })
      await interrupted.fit(data.x, data.y, { ...FIT, epochs: FIRST_PART, callbacks: [modelCheckpoint(checkpointOptions(first))] })
      interrupted.dispose()
      // A copy for the fresh-process continuation below.
      await cp(dir, `${dir}-child`, { recursive: true })

      const resumed = await restoreLatest(first)
      expect(resumed).not.toBeNull()
      const r = resumed!
      expect(r.initialEpoch).toBe(r.entry.epoch + 1)
      expect(r.initialEpoch).toBeLessThanOrEqual(FIRST_PART)
      expect(r.model.optimizer.getClassName()).toBe(uninterrupted.optimizer.getClassName())
      await r.model.fit(data.x, data.y, {
        ...FIT,
        epochs: TOTAL_EPOCHS,
        initialEpoch: r.initialEpoch,
        callbacks: [modelCheckpoint(checkpointOptions(first))],
      })

      expect(weightBytes(r.model)).toEqual(weightBytes(uninterrupted))
      const expected = await kept(full)
      expect(expected.entries!.length).toBeGreaterThan(0)
      expect(await kept(first)).toEqual(expected)
      straight.set(name, { weights: base64(weightBytes(uninterrupted)), kept: expected, dir: `${dir}-child` })
      uninterrupted.dispose()
      r.model.dispose()
    },
  )

  it(`continuing in a fresh process (restoreLatest in a child) gives the same weights and files, for every optimizer`, async () => {
    expect(straight.size).toBe(RESUME_OPTIMIZERS.length)
    const jobs: ChildJob[] = [...straight.entries()].map(([optimizer, s]) => ({
      mode: 'restoreLatest',
      optimizer,
      dir: s.dir,
      out: `${s.dir}.json`,
    }))
    await child.run({ backend, jobs })
    for (const job of jobs) {
      const s = straight.get(job.optimizer)!
      expect(JSON.parse(await readFile(job.out, 'utf8')), job.optimizer).toEqual(s.weights)
      expect(await kept(fsStorage(job.dir)), job.optimizer).toEqual(s.kept)
    }
  }, 60_000)
})
