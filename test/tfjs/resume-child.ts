/**
 * Child process of the exact-resume tests: continues training in a fresh process from what the parent left in
 * fs storage, then writes the final weights (base64 by name) to a JSON file. Argument: a JSON job list.
 */
import { writeFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { useBackend, type BackendName } from '../../src/adapters/tfjs/backend.js'
import { fitResumable } from '../../src/adapters/tfjs/fit-resumable.js'
import { restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { fsStorage } from '../../src/storage/fs.js'
import { dataset, tinyModel, weightBytes } from './support/fixtures.js'
import { checkpointOptions, FIT, optimizerNamed, TOTAL_EPOCHS } from './support/resume-setup.js'

export interface ChildJob {
  readonly mode: 'restoreLatest' | 'fitResumable'
  readonly optimizer: string
  readonly dir: string
  readonly out: string
}

const { backend, jobs } = JSON.parse(process.argv[2] as string) as { backend: BackendName; jobs: ChildJob[] }
await useBackend(backend)
const { x, y } = dataset()
for (const job of jobs) {
  const storage = fsStorage(job.dir, { fsync: false })
  let model
  if (job.mode === 'restoreLatest') {
    const restored = await restoreLatest(storage)
    if (restored === null) throw new Error(`nothing to restore in ${job.dir}`)
    model = restored.model
    await model.fit(x, y, {
      ...FIT,
      epochs: TOTAL_EPOCHS,
      initialEpoch: restored.initialEpoch,
      callbacks: [modelCheckpoint(checkpointOptions(storage))],
    })
  } else {
    model = tinyModel(optimizerNamed(job.optimizer)())
    await fitResumable(model, x, y, { ...FIT, epochs: TOTAL_EPOCHS }, { storage, deleteCheckpoint: false, log: () => {} })
  }
  const bytes = weightBytes(model)
  writeFileSync(job.out, JSON.stringify(Object.fromEntries(Object.entries(bytes).map(([k, b]) => [k, Buffer.from(b).toString('base64')]))))
  model.dispose()
}
tf.dispose([x, y])
