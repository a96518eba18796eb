import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCheckpointer } from '../src/checkpointer/index.js'
import { fsStorage } from '../src/storage/fs.js'
import { versionOneIndex } from '../test/checkpointer/support.js'
const n = 100_000
const dir = mkdtempSync(join(tmpdir(), 'ckpt-prof-open-'))
writeFileSync(join(dir, 'ckpt-index.json'), versionOneIndex(n))
const options = { filepath: 'run/e{epoch}.safetensors', monitor: 'loss', log: () => {} }
const tensors = { w: { dtype: 'F32', shape: [4], data: Float32Array.of(1, 2, 3, 4) } } as any
const writer = await createCheckpointer({ storage: fsStorage(dir), ...options })
await writer.onEpochEnd({ epoch: 2 * n + 1, logs: { loss: 1 } }, tensors)
await writer.close()
for (let i = 0; i < 5; i++) {
  const cpu = process.cpuUsage(); const t0 = process.hrtime.bigint()
  const r = await createCheckpointer({ storage: fsStorage(dir), ...options })
  const used = process.cpuUsage(cpu)
  console.log('open', (Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0), 'cpu', ((used.user+used.system)/1000).toFixed(0))
  await r.close()
}
