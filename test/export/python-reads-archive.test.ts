import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/checkpointer.js'
import { exportRun } from '../../src/checkpointer/export/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { tempDir } from '../checkpointer/support.js'
import { pythonMissing, runPython } from '../tensors/python.js'
import { bytesOf, quiet, weightsAt } from './support.js'

const missing = pythonMissing(['tarfile', 'numpy', 'safetensors.numpy'])
if (missing) console.log(`skipping the Python archive oracle: ${missing}`)

// Lists and extracts with the standard library's tarfile (the 'data' filter: no links, no paths out of the folder),
// then reads every .safetensors with safetensors.numpy.load_file, as a Python user would.
const SCRIPT = `
import hashlib, json, os, sys, tarfile
from safetensors.numpy import load_file
archive, out = sys.argv[1], sys.argv[2]
with tarfile.open(archive) as tar:
    members = [{"name": m.name, "size": m.size, "isfile": m.isfile()} for m in tar.getmembers()]
    tar.extractall(out, filter="data")
manifest = json.load(open(os.path.join(out, "ckpt-export.json"), encoding="utf-8"))
tensors = {}
for m in members:
    if m["name"].endswith(".safetensors"):
        loaded = load_file(os.path.join(out, m["name"]))
        tensors[m["name"]] = {k: {"dtype": str(v.dtype), "shape": list(v.shape), "sha256": hashlib.sha256(v.tobytes()).hexdigest()} for k, v in loaded.items()}
print(json.dumps({"members": members, "paths": [c["path"] for c in manifest["checkpoints"]], "tensors": tensors}))
`

const dtypes: Record<string, string> = { F32: 'float32', I64: 'int64' }

describe.skipIf(missing !== undefined)("Python's tarfile and safetensors read an exported run", () => {
  const t = tempDir('ckpt-export-py-')
  afterAll(t.cleanup)

  it('lists every file under its own name, extracts them, and load_file gives the tensors ckpt saved', async () => {
    const storage = memoryStorage()
    // A long, non-ASCII folder name needs a pax header; 300,000 weights make a file of several 1 MiB blocks.
    const folder = `ckpt/époque-${'x'.repeat(120)}`
    const ckpt = await createCheckpointer({ storage, filepath: `${folder}/e{epoch:03d}.safetensors`, monitor: 'loss', ...quiet })
    for (let epoch = 0; epoch < 3; epoch++) await ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, weightsAt(epoch, 300_000))
    await ckpt.close()
    const archive = await exportRun(storage)
    const path = join(t.dir, 'run.tar')
    writeFileSync(path, await bytesOf(archive))

    const got = JSON.parse(runPython(SCRIPT, undefined, [path, join(t.dir, 'out')]).toString()) as {
      members: Array<{ name: string; size: number; isfile: boolean }>
      paths: string[]
      tensors: Record<string, Record<string, { dtype: string; shape: number[]; sha256: string }>>
    }
    const names = archive.checkpoints.map((e) => e.path)
    expect(got.paths).toEqual(names)
    expect(got.members).toEqual([
      { name: 'ckpt-export.json', size: expect.any(Number), isfile: true },
      ...archive.checkpoints.map((e) => ({ name: e.path, size: e.files[0]!.size, isfile: true })),
    ])
    for (const [i, name] of names.entries()) {
      expect(readFileSync(join(t.dir, 'out', name))).toEqual(Buffer.from(await storage.read(name)))
      const expected = Object.fromEntries(
        Object.entries(weightsAt(i, 300_000)).map(([k, v]) => [
          k,
          {
            dtype: dtypes[v.dtype],
            shape: v.shape,
            sha256: createHash('sha256')
              .update(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength))
              .digest('hex'),
          },
        ]),
      )
      expect(got.tensors[name]).toEqual(expected)
    }
  })
})
