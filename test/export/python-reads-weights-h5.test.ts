import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { kerasWeightsSerializer } from '../../src/adapters/tfjs/keras/serializers.js'
import { createCheckpointer } from '../../src/checkpointer/checkpointer.js'
import { exportCheckpoint } from '../../src/checkpointer/export/index.js'
import type { WeightsFile } from '../../src/keras/weights-file.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { tempDir } from '../checkpointer/support.js'
import { pythonMissing, runPython } from '../tensors/python.js'
import { bytesOf, quiet } from './support.js'

const missing = pythonMissing(['tarfile', 'numpy', 'h5py'])
if (missing) console.log(`skipping the h5py archive oracle: ${missing}`)

// Extracts with tarfile, then opens the .weights.h5 with h5py and lists every dataset under its Keras path.
const SCRIPT = `
import hashlib, json, os, sys, tarfile
import h5py
archive, out = sys.argv[1], sys.argv[2]
with tarfile.open(archive) as tar:
    tar.extractall(out, filter="data")
datasets = {}
def visit(name, obj):
    if isinstance(obj, h5py.Dataset):
        v = obj[()]
        datasets[name] = {"dtype": str(v.dtype), "shape": list(v.shape), "sha256": hashlib.sha256(v.tobytes()).hexdigest()}
with h5py.File(os.path.join(out, "best.weights.h5"), "r") as f:
    f.visititems(visit)
print(json.dumps(datasets))
`

const sha = (a: Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex')

describe.skipIf(missing !== undefined)('a .weights.h5 checkpoint exported stays as Keras wrote it', () => {
  const t = tempDir('ckpt-export-h5-')
  afterAll(t.cleanup)

  it('h5py reads the extracted file: every weight under its Keras path, the same values', async () => {
    const kernel = Float32Array.from({ length: 12 }, (_, i) => Math.cos(i))
    const bias = Float32Array.of(0.25, -1, 3)
    const weights: WeightsFile = {
      groups: [
        {
          path: 'layers/dense',
          name: 'dense',
          vars: [
            { dtype: 'float32', shape: [4, 3], data: kernel },
            { dtype: 'float32', shape: [3], data: bias },
          ],
        },
      ],
    }
    const storage = memoryStorage()
    const ckpt = await createCheckpointer<WeightsFile>({
      storage,
      serializer: kerasWeightsSerializer,
      filepath: 'best.weights.h5',
      monitor: 'loss',
      ...quiet,
    })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, weights)
    await ckpt.close()
    const path = join(t.dir, 'best.tar')
    writeFileSync(path, await bytesOf(await exportCheckpoint(storage, 'best.weights.h5')))
    const got = JSON.parse(runPython(SCRIPT, undefined, [path, join(t.dir, 'out')]).toString()) as Record<string, unknown>
    expect(got).toEqual({
      'layers/dense/vars/0': { dtype: 'float32', shape: [4, 3], sha256: sha(kernel) },
      'layers/dense/vars/1': { dtype: 'float32', shape: [3], sha256: sha(bias) },
    })
  })
})
