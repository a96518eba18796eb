/**
 * Python writes sharded checkpoints (huggingface_hub's save_torch_state_dict, transformers' save_pretrained with
 * max_shard_size); `readShardedSafetensors` reads every tensor back with Python's dtype, shape and bytes.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readShardedSafetensors } from '../../src/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { tempDir } from '../checkpointer/support.js'
import { hfOracle, oracleMissing, sha256Of } from './support.js'

const missing = oracleMissing('ckpt reads Python shards', ['torch', 'safetensors', 'huggingface_hub', 'transformers'])
const DTYPES: Record<string, string> = {
  float32: 'F32',
  bfloat16: 'BF16',
  float16: 'F16',
  int64: 'I64',
  bool: 'BOOL',
  uint8: 'U8',
  float64: 'F64',
}
type Written = Record<
  'hub' | 'transformers',
  { files: string[]; tensors: Record<string, { dtype: string; shape: number[]; sha256: string }> }
>

describe.skipIf(missing !== undefined)('sharded checkpoints Python wrote, read by readShardedSafetensors', () => {
  const t = tempDir()
  let written: Written
  beforeAll(() => {
    written = hfOracle<Written>(['write', t.dir, '4KB'])
  }, 300_000)
  afterAll(() => t.cleanup())

  for (const writer of ['hub', 'transformers'] as const)
    it(`reads ${writer === 'hub' ? "huggingface_hub's save_torch_state_dict" : "transformers' save_pretrained"} output exactly`, async () => {
      const { files, tensors } = written[writer]
      const shards = files.filter((f) => /-\d{5}-of-\d{5}\.safetensors$/.test(f))
      expect(shards.length).toBeGreaterThan(2)
      expect(readdirSync(join(t.dir, writer))).toContain('model.safetensors.index.json')
      const read = await readShardedSafetensors(fsStorage(join(t.dir, writer)), 'model.safetensors.index.json')
      expect(read.shards).toHaveLength(shards.length)
      expect(read.metadata).toMatchObject({ total_size: expect.any(Number) as number })
      expect(Object.keys(read.tensors).sort()).toEqual(Object.keys(tensors).sort())
      for (const [name, py] of Object.entries(tensors)) {
        const ours = read.tensors[name]!
        expect({ dtype: ours.dtype, shape: ours.shape, sha256: sha256Of(ours) }, name).toEqual({
          dtype: DTYPES[py.dtype],
          shape: py.shape,
          sha256: py.sha256,
        })
      }
    })
})
