/**
 * One operation on a large checkpoint, in a child of its own (`node --expose-gc --import tsx`), so that its time and
 * peak RSS are its own: `save WHERE BYTES`, `restore WHERE`, or `cli WHERE ARGS…` (a ckpt command run through `main`).
 * WHERE is a folder, or `s3:` and the JSON of s3Storage options. Prints one JSON line: the measurement and what the
 * operation found. The CLI reaches an S3 WHERE as `s3://BUCKET/PREFIX --endpoint URL`.
 */
import { main } from '../../../src/cli/main.js'
import { createCheckpointer } from '../../../src/checkpointer/index.js'
import type { S3StorageOptions } from '../../../src/storage/s3.js'
import type { Tensors } from '../../../src/tensors/index.js'
import { measure } from '../../hostile/support/peak.js'
import { checkSamples, patternTensors } from './pattern.js'
import { storageAt } from './where.js'

const quiet = { log: () => {} }
const [op, dir, ...rest] = process.argv.slice(2)
const storage = () => storageAt(dir!)

const save = async (bytes: number) => {
  const tensors: Tensors = patternTensors(bytes)
  const m = await measure(async () => {
    const c = await createCheckpointer({
      storage: storage(),
      filepath: 'big.safetensors',
      monitor: 'loss',
      immutableSnapshots: true,
      ...quiet,
    })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensors)
    await c.close()
  })
  return { elapsedMs: m.elapsedMs, peakBytes: m.peakBytes, growthBytes: m.growthBytes }
}

const restore = async () => {
  const m = await measure(async () => {
    const c = await createCheckpointer({ storage: storage(), filepath: 'big.safetensors', monitor: 'loss', ...quiet })
    const r = await c.restore('latest')
    await c.close()
    return r.value
  })
  return { elapsedMs: m.elapsedMs, peakBytes: m.peakBytes, growthBytes: m.growthBytes, ...checkSamples(m.value) }
}

/** WHERE as the CLI takes it: the folder, or `s3://BUCKET/PREFIX --endpoint URL` with the credentials in the environment. */
const location = (): { readonly args: ReadonlyArray<string>; readonly env: Readonly<Record<string, string>> } => {
  if (!dir!.startsWith('s3:')) return { args: [dir!], env: {} }
  const o = JSON.parse(dir!.slice(3)) as S3StorageOptions
  return {
    args: [`s3://${o.bucket}/${o.prefix ?? ''}`, '--endpoint', o.endpoint!],
    env: { AWS_ACCESS_KEY_ID: o.credentials!.accessKeyId, AWS_SECRET_ACCESS_KEY: o.credentials!.secretAccessKey },
  }
}

const cli = async (args: ReadonlyArray<string>) => {
  let stdout = ''
  let stderr = ''
  const where = location()
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: where.env }
  const m = await measure(() => main([...args, ...where.args], io))
  return { elapsedMs: m.elapsedMs, peakBytes: m.peakBytes, growthBytes: m.growthBytes, code: m.value, stdout, stderr }
}

const report = op === 'save' ? await save(Number(rest[0])) : op === 'restore' ? await restore() : await cli(rest)
process.stdout.write(`${JSON.stringify(report)}\n`)
