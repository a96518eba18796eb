import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { s3Storage } from '../../src/storage/s3.js'
import { motoMissing, startMoto, type S3Server } from '../storage/servers.js'
import { ckpt, quiet, spawnCli, tensorsFor } from './support.js'

const missing = motoMissing()
if (missing !== null) console.warn(`skipped ckpt ls/verify on s3://: ${missing}`)

describe.skipIf(missing !== null)('ckpt ls and verify on s3:// (moto_server on 127.0.0.1)', () => {
  let server: S3Server
  let endpoint = ''
  let bucket = ''
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' }
  const env = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' }

  beforeAll(async () => {
    server = await startMoto('ckpt-cli')
    ;({ endpoint, bucket } = server)
    const { S3Client, PutObjectCommand, GetObjectCommand } = await import('@aws-sdk/client-s3')
    const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials })
    const c = await createCheckpointer({
      filepath: 'ckpt-{epoch}.safetensors',
      monitor: 'val_loss',
      storage: s3Storage({ bucket, prefix: 'runs/a', endpoint, forcePathStyle: true, credentials }),
      ...quiet,
    })
    for (const [epoch, v] of [0.8, 0.4, 0.6].entries()) await c.onEpochEnd({ epoch, logs: { val_loss: v } }, tensorsFor(epoch))
    await c.close()
    // Flip one byte of the last checkpoint, in place.
    const key = 'runs/a/ckpt-3.safetensors'
    const body = await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()
    body[body.length - 1] = body[body.length - 1]! ^ 0x80
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
    client.destroy()
  }, 60_000)

  afterAll(async () => server?.stop())

  it('ls --endpoint lists the checkpoints with best and latest (in-process, credentials from the env)', async () => {
    const r = await ckpt(['ls', `s3://${bucket}/runs/a`, '--endpoint', endpoint, '--json'], env)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { checkpoints: Array<{ path: string }>; best: string; latest: string }
    expect(out.checkpoints.map((c) => c.path)).toEqual(['ckpt-1.safetensors', 'ckpt-2.safetensors', 'ckpt-3.safetensors'])
    expect(out.best).toBe('ckpt-2.safetensors')
    expect(out.latest).toBe('ckpt-3.safetensors')
  })

  it('verify in a real process reads the endpoint from AWS_ENDPOINT_URL and exits 1 naming the corrupt checkpoint', async () => {
    const r = await spawnCli(['verify', `s3://${bucket}/runs/a/`], { env: { ...env, AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1' } })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('OK       ckpt-1.safetensors')
    expect(r.stdout).toMatch(/^CORRUPT {2}ckpt-3\.safetensors: .*fails its checksum/m)
    expect(r.stdout).toContain(`1 of 3 checkpoints corrupt: ckpt-3.safetensors`)
  })

  it('a prefix without an index exits 2', async () => {
    const r = await ckpt(['ls', `s3://${bucket}/runs/none`, '--endpoint', endpoint], env)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`s3://${bucket}/runs/none has no checkpoint index`)
  })
})
