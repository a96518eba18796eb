import { createCheckpointer } from '../src/checkpointer/index.js'
import { fsStorage } from '../src/storage/fs.js'
const options = { filepath: 'run/e{epoch}.safetensors', monitor: 'loss', log: () => {} }
for (let i = 0; i < 3; i++) {
  const t1 = performance.now(); const r = await createCheckpointer({ storage: fsStorage('/tmp/ckpt-prof-open-Y6Avi8'), ...options }); console.log('create', (performance.now() - t1).toFixed(0)); await r.close()
}
