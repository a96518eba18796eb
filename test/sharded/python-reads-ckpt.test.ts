/**
 * ckpt writes a sharded checkpoint; Hugging Face's Python tools read it as their own: `safetensors` opens every
 * shard, `huggingface_hub.load_torch_model` loads the folder strictly, `save_torch_state_dict` of the same tensors
 * writes the same files and the same index bytes, and transformers' `from_pretrained` loads a BERT from it.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Tensor } from '../../src/tensors/index.js'
import { tempDir } from '../checkpointer/support.js'
import { hfOracle, oracleMissing, saveOnce, sha256Of } from './support.js'

const hub = oracleMissing('ckpt shards read by huggingface_hub', ['torch', 'safetensors', 'huggingface_hub'])
const transformers = hub ?? oracleMissing('ckpt shards read by transformers', ['transformers'])
let cleanup = () => {}
afterEach(() => cleanup())

const filled = <T extends { length: number; [i: number]: number }>(data: T, f: (i: number) => number): T => {
  for (let i = 0; i < data.length; i++) data[i] = f(i)
  return data
}
// Seven dtypes; "head.weight" (16 KiB) is over the 10,000-byte limit, so HF gives it a shard of its own ahead of the open one.
const TENSORS: Record<string, Tensor> = {
  'embed.weight': { dtype: 'F32', shape: [64, 32], data: filled(new Float32Array(2048), (i) => Math.sin(i) * 3) },
  'blocks.0.attn.qkv': { dtype: 'BF16', shape: [32, 96], data: filled(new Uint16Array(3072), (i) => 0x3f80 + (i % 200)) },
  'blocks.0.attn.out': { dtype: 'F16', shape: [32, 32], data: filled(new Uint16Array(1024), (i) => 0x3c00 + (i % 300)) },
  'blocks.0.step': { dtype: 'I64', shape: [], data: BigInt64Array.of(12_345_678_901n) },
  'blocks.1.mask': { dtype: 'BOOL', shape: [40], data: filled(new Uint8Array(40), (i) => (i % 3 === 0 ? 1 : 0)) },
  'blocks.1.bytes': { dtype: 'U8', shape: [300], data: filled(new Uint8Array(300), (i) => (i * 7) % 256) },
  'head.weight': { dtype: 'F64', shape: [32, 64], data: filled(new Float64Array(2048), (i) => 1 / (i + 1)) },
}

describe.skipIf(hub !== undefined)('a sharded checkpoint ckpt wrote, read by huggingface_hub', () => {
  it(
    'loads shard by shard and as a folder, and save_torch_state_dict writes the same files and index bytes',
    { timeout: 300_000 },
    async () => {
      const t = tempDir()
      cleanup = t.cleanup
      await saveOnce(t.dir, { maxShardSize: 10_000 }, TENSORS)
      const folder = join(t.dir, 'run')
      const order = join(t.dir, 'order.json')
      writeFileSync(order, JSON.stringify(Object.keys(TENSORS)))

      const py = hfOracle<{
        shards: Record<string, { metadata: Record<string, string>; tensors: Record<string, string> }>
        loaded: Record<string, string>
        missing: string[]
        unexpected: string[]
        python_files: string[]
        python_index: string
      }>(['load', folder, order, '10000'])

      const index = JSON.parse(readFileSync(join(folder, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> }
      expect(Object.keys(py.shards)).toEqual([
        'model-00001-of-00003.safetensors',
        'model-00002-of-00003.safetensors',
        'model-00003-of-00003.safetensors',
      ])
      expect(index.weight_map['head.weight']).toBe('model-00002-of-00003.safetensors')
      for (const [shard, { metadata, tensors }] of Object.entries(py.shards)) {
        expect(metadata.format).toBe('pt')
        expect(JSON.parse(metadata.ckpt!)).toMatchObject({ epoch: 0 })
        expect(Object.keys(tensors).sort()).toEqual(
          Object.keys(index.weight_map)
            .filter((n) => index.weight_map[n] === shard)
            .sort(),
        )
        for (const [name, sha] of Object.entries(tensors)) expect(sha, name).toBe(sha256Of(TENSORS[name]!))
      }
      expect(py.missing).toEqual([])
      expect(py.unexpected).toEqual([])
      expect(py.loaded).toEqual(Object.fromEntries(Object.entries(TENSORS).map(([n, t]) => [n, sha256Of(t)])))
      // Python's own save of the same tensors in the same order: the same file names and, byte for byte, the same index.
      expect(py.python_files).toEqual(readdirSync(folder).sort())
      expect(readFileSync(join(folder, 'model.safetensors.index.json'), 'utf8')).toBe(py.python_index)
    },
  )
})

describe.skipIf(transformers !== undefined)('a sharded checkpoint ckpt wrote, read by transformers', () => {
  it('BertModel.from_pretrained loads every weight, sharded as save_pretrained shards it', { timeout: 300_000 }, async () => {
    const t = tempDir()
    cleanup = t.cleanup
    const folder = join(t.dir, 'bert')
    const spec = hfOracle<{
      tensors: Array<{ name: string; shape: number[]; dtype: string }>
      weight_map: Record<string, string>
      total_size: number
    }>(['bert-spec', folder, '20KB'])
    expect(spec.tensors.every((s) => s.dtype === 'float32')).toBe(true)
    const tensors: Record<string, Tensor> = {}
    spec.tensors.forEach(({ name, shape }, k) => {
      const n = shape.reduce((a, b) => a * b, 1)
      tensors[name] = { dtype: 'F32', shape, data: Float32Array.from({ length: n }, (_, i) => k + i / 1024) }
    })
    await saveOnce(t.dir, { filepath: 'bert/model.safetensors', maxShardSize: '20KB' }, tensors)
    const index = JSON.parse(readFileSync(join(folder, 'model.safetensors.index.json'), 'utf8')) as {
      metadata: { total_size: number }
      weight_map: Record<string, string>
    }
    // The same shards as transformers' own save_pretrained of that model (its index adds total_parameters and sorts keys).
    expect(index.weight_map).toEqual(spec.weight_map)
    expect(index.metadata.total_size).toBe(spec.total_size)
    expect(new Set(Object.values(index.weight_map)).size).toBeGreaterThan(1)

    const loaded = hfOracle<{ info: Record<string, string[]>; tensors: Record<string, string> }>(['bert-load', folder])
    for (const [kind, names] of Object.entries(loaded.info)) expect(names, kind).toEqual([])
    expect(loaded.tensors).toEqual(Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, sha256Of(t)])))
  })
})
