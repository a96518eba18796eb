import { mkdtempSync, writeFileSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { createCheckpointer } from '../src/checkpointer/index.js'
import { loadIndex } from '../src/checkpointer/index-store.js'
import { decodeSegment } from '../src/checkpointer/index-segment.js'
import { utf8Text, decodeEntryList } from '../src/checkpointer/index-file.js'
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
const seg = readdirSync(join(dir, 'ckpt-index.d'))[0]!
const bytes = readFileSync(join(dir, 'ckpt-index.d', seg))
console.log('segment bytes', bytes.length)
const t = (label: string, f: () => unknown) => { const t0 = performance.now(); const r = f(); console.log(label, (performance.now() - t0).toFixed(0)); return r }
for (let i = 0; i < 3; i++) {
  t('sha', () => createHash('sha256').update(bytes).digest('hex'))
  const text = t('utf8', () => utf8Text(bytes)) as string
  const json = t('parse', () => JSON.parse(text)) as any
  t('entries', () => decodeEntryList(json.checkpoints, 'checkpoints'))
  const ref = (await loadIndex(fsStorage(dir)))!.state
  const t0 = performance.now(); await loadIndex(fsStorage(dir)); console.log('loadIndex', (performance.now() - t0).toFixed(0))
  const t1 = performance.now(); const r = await createCheckpointer({ storage: fsStorage(dir), ...options }); console.log('create', (performance.now() - t1).toFixed(0)); await r.close()
}
