// docs/format.md ("A lost index") says `ckpt ls` and `ckpt verify` rebuild a lost index in memory "the
// same way, from every format's scan", and docs/tfjs.md says Keras checkpoints carry entry data so a lost index
// is rebuilt from them. The CLI scans only safetensors and model.json (cli/index-reader.ts:22); the `.keras`
// scan is framework-free (it reads metadata.json only), yet a folder of .keras checkpoints with a lost index is
// "no checkpoint index ... and no checkpoint that carries ckpt's entry data" (exit 2).
import { mkdirSync, writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { kerasModelSerializer } from '../../src/adapters/tfjs/keras/serializers.js'
import { checkpointMetaToJson } from '../../src/checkpointer/checkpoint-meta.js'
import { encodeZip } from '../../src/keras/zip.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt as cli } from './support.js'
import { tempDir } from '../checkpointer/support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('ckpt ls / verify on a lost index of .keras checkpoints', () => {
  it('rebuilds the index from the .keras entry data, as restoreLatest does', async () => {
    const dir = `${tmp.dir}/run`
    mkdirSync(dir, { recursive: true })
    const meta = {
      epoch: 2,
      step: 3,
      batch: null,
      metrics: { loss: 0.25 },
      score: 0.25,
      time: 1_700_000_000_000,
      policyState: null,
      ranking: { monitor: 'loss', mode: 'min' as const },
    }
    const metadata = { keras_version: '3.15.1', date_saved: '2025-01-01@00:00:00', ckpt: checkpointMetaToJson(meta) }
    const zip = encodeZip([
      { name: 'metadata.json', data: new TextEncoder().encode(JSON.stringify(metadata)) },
      { name: 'config.json', data: new TextEncoder().encode('{}') },
    ])
    if (zip._tag === 'Left') throw new Error(zip.left.message)
    writeFileSync(`${dir}/best.keras`, zip.right)
    // The readers' own scan (restoreLatest, restoreBest, fitResumable) finds it:
    expect((await kerasModelSerializer.scan!(fsStorage(dir))).map((s) => s.path)).toEqual(['best.keras'])
    const ls = await cli(['ls', dir])
    const verify = await cli(['verify', dir])
    expect({ ls: ls.code, verify: verify.code, lsErr: ls.stderr }).toEqual({ ls: 0, verify: 0, lsErr: '' })
    expect(ls.stdout).toContain('best.keras')
  })
})
