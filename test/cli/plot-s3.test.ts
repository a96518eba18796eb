import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s3Storage } from '../../src/storage/s3.js'
import { motoMissing, startMoto, type S3Server } from '../storage/servers.js'
import { marksOf, parseXml, writeRun } from './pictures.js'
import { ckpt, tempDir } from './support.js'

const missing = motoMissing()
if (missing !== null) console.warn(`skipped ckpt plot and report on s3://: ${missing}`)

const tmp = tempDir()
afterAll(tmp.cleanup)

describe.skipIf(missing !== null)('ckpt plot and report on s3:// (moto_server on 127.0.0.1), as ls reads it', () => {
  let server: S3Server
  let run: { log: string; policy: string }
  const env = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' }

  beforeAll(async () => {
    server = await startMoto('ckpt-plot')
    const storage = s3Storage({
      bucket: server.bucket,
      prefix: 'runs/p',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    })
    // Saves at 1, 2 and 4; maxToKeep 2 deletes epoch 1 at the save of 4; skips at 3 and 5.
    run = await writeRun(
      tmp.dir,
      { filepath: 'ckpt-{epoch}.safetensors', monitor: 'val_loss', saveBestOnly: true, maxToKeep: 2 },
      [0.8, 0.6, 0.7, 0.5, 0.55].map((v) => ({ val_loss: v })),
      storage,
    )
  }, 60_000)

  afterAll(async () => server?.stop())

  it('plot --endpoint draws the folder from S3 with its log replayed', async () => {
    const r = await ckpt(
      ['plot', `s3://${server.bucket}/runs/p`, '--endpoint', server.endpoint, '--log', run.log, '--config', run.policy],
      env,
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = parseXml(r.stdout)
    expect(marksOf(doc, 'kept').map((m) => m.x)).toEqual([2, 4])
    expect(marksOf(doc, 'deleted').map((m) => m.x)).toEqual([1])
    expect(marksOf(doc, 'skip').map((m) => m.x)).toEqual([3, 5])
    expect(marksOf(doc, 'best')).toEqual([{ x: 4, value: '0.5' }])
  })

  it('report reads and verifies every kept checkpoint through S3', async () => {
    const r = await ckpt(['report', `s3://${server.bucket}/runs/p`, '--endpoint', server.endpoint], env)
    expect(r.code, r.stderr).toBe(0)
    const doc = parseXml(r.stdout, 'application/xhtml+xml')
    const verify = Array.from(doc.getElementsByTagName('td')).filter((td) => td.getAttribute('class') === 'status')
    expect(verify.map((td) => td.textContent)).toEqual(['OK', 'OK'])
  })
})
