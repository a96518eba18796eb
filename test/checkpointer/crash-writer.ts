// Child process for the crash test: writes checkpoints through the fs adapter in a loop until killed.
// After each commit returns it prints `committed <epoch> <path>`, so the parent knows what must survive.
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'

const dir = process.argv[2]!
const size = 64 * 1024
const ckpt = await createCheckpointer({
  storage: fsStorage(dir),
  filepath: 'ckpt/e{epoch:04d}.safetensors',
  monitor: 'loss',
  maxToKeep: 3,
  log: () => {},
})
let epoch = ((await ckpt.latest())?.epoch ?? -1) + 1
for (;;) {
  const data = new Float32Array(size).fill(epoch)
  const out = await ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, { w: { dtype: 'F32', shape: [size], data } })
  process.stdout.write(`committed ${epoch} ${out.path}\n`)
  epoch++
}
