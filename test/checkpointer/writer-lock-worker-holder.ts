// Worker thread for lock-worker-thread.test.ts: saves one checkpoint (taking the writer lock), says 'ready',
// then stays alive until terminated.
import { parentPort, workerData } from 'node:worker_threads'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'

const ckpt = await createCheckpointer({
  storage: fsStorage((workerData as { dir: string }).dir),
  filepath: 'w{epoch}.safetensors',
  monitor: 'loss',
  log: () => {},
})
await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, { w: { dtype: 'F32', shape: [1], data: new Float32Array([1]) } })
parentPort!.postMessage('ready')
setInterval(() => {}, 60_000)
