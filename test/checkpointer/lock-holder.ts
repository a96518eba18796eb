// Child process for the writer-lock test: saves one checkpoint in a folder (taking its writer lock), says
// `ready <pid>`, then stays alive until killed.
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'

const ckpt = await createCheckpointer({
  storage: fsStorage(process.argv[2]!),
  filepath: 'e{epoch}.safetensors',
  monitor: 'loss',
  log: () => {},
})
await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, { w: { dtype: 'F32', shape: [1], data: new Float32Array([1]) } })
process.stdout.write(`ready ${process.pid}\n`)
setInterval(() => {}, 60_000)
