// Child process for the crash test: writes checkpoints of one kind (see crash-modes.ts) through the fs adapter
// in a loop until killed. After each commit returns it prints `committed <epoch> <path>`, so the parent knows
// what must survive.
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { CRASH_MODES, type CrashMode } from './crash-modes.js'

const dir = process.argv[2]!
const setup = CRASH_MODES[(process.argv[3] ?? 'safetensors') as CrashMode]
const serializer = await setup.serializer()
const ckpt = await createCheckpointer<unknown, unknown>({
  storage: fsStorage(dir),
  ...setup.options,
  ...(serializer !== undefined ? { serializer, immutableSnapshots: true } : {}),
  log: () => {},
})
let epoch = ((await ckpt.latest())?.epoch ?? -1) + 1
for (;;) {
  const snapshot = await setup.snapshot(epoch)
  const out = await ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, snapshot)
  process.stdout.write(`committed ${epoch} ${out.path}\n`)
  epoch++
}
