/**
 * readShardedSafetensors on bad input: each problem is a typed CheckpointFailure naming the file, read within
 * bounds (an oversized index is refused after 10 MiB + 1 bytes; a shard claiming more data than it holds is
 * refused from its header, before any tensor is allocated).
 */
import { describe, expect, it } from 'vitest'
import { readShardedSafetensors } from '../../src/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { encodeSafetensorsOrThrow, type Tensor } from '../../src/tensors/index.js'
import { concat } from '../tensors/arbitraries.js'

const tensor = (n: number, v: number): Tensor => ({ dtype: 'F32', shape: [n], data: new Float32Array(n).fill(v) })
const INDEX = 'hf/model.safetensors.index.json'
const A = 'model-00001-of-00002.safetensors'
const B = 'model-00002-of-00002.safetensors'

/** A folder `hf/` with shards A (a, b) and B (c), and an index; `edit` changes the files before they are written. */
const folder = async (edit: (files: Map<string, Uint8Array>) => void = () => {}): Promise<Storage> => {
  const files = new Map<string, Uint8Array>([
    [`hf/${A}`, concat(encodeSafetensorsOrThrow({ a: tensor(4, 1), b: tensor(2, 2) }, { format: 'pt' }))],
    [`hf/${B}`, concat(encodeSafetensorsOrThrow({ c: tensor(3, 3) }))],
    [INDEX, json({ metadata: { total_size: 36 }, weight_map: { a: A, b: A, c: B } })],
  ])
  edit(files)
  const storage = memoryStorage()
  for (const [k, v] of files) await storage.write(k, v)
  return storage
}
const json = (u: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(u))
const index = (weightMap: unknown) => (files: Map<string, Uint8Array>) => files.set(INDEX, json({ weight_map: weightMap }))

describe('readShardedSafetensors refuses bad input with a typed error', () => {
  it('reads a valid folder: every tensor, in the index order, and the metadata', async () => {
    const read = await readShardedSafetensors(await folder(), INDEX)
    expect(Object.keys(read.tensors)).toEqual(['a', 'b', 'c'])
    expect(read.tensors.c).toEqual(tensor(3, 3))
    expect(read.metadata).toEqual({ total_size: 36 })
    expect(read.shards).toEqual([`hf/${A}`, `hf/${B}`])
  })

  it.each([
    ['a shard the index names is missing', (f: Map<string, Uint8Array>) => f.delete(`hf/${B}`), { _tag: 'ShardMissing', shard: `hf/${B}` }],
    [
      'a tensor is not in the shard the index puts it in',
      index({ a: A, b: A, c: B, d: B }),
      { _tag: 'ShardTensorMissing', tensor: 'd', shard: `hf/${B}` },
    ],
    [
      'a tensor is in two shards',
      (f: Map<string, Uint8Array>) => f.set(`hf/${B}`, concat(encodeSafetensorsOrThrow({ c: tensor(3, 3), a: tensor(1, 0) }))),
      { _tag: 'TensorInTwoShards', tensor: 'a', shards: [`hf/${A}`, `hf/${B}`] },
    ],
    [
      'a shard holds a tensor the index does not name',
      index({ a: A, c: B }),
      { _tag: 'ShardTensorNotIndexed', tensor: 'b', shard: `hf/${A}` },
    ],
    ['a shard holds a tensor the index puts elsewhere', index({ a: A, b: B, c: B }), { _tag: 'ShardTensorMissing', tensor: 'b' }],
    [
      'a shard is not safetensors',
      (f: Map<string, Uint8Array>) => f.set(`hf/${B}`, json({ not: 'safetensors' })),
      { _tag: 'InvalidShard', shard: `hf/${B}` },
    ],
    [
      'a shard declares 2^40 bytes of data in 100 bytes',
      (f: Map<string, Uint8Array>) => {
        const header = new TextEncoder().encode(JSON.stringify({ c: { dtype: 'U8', shape: [2 ** 40], data_offsets: [0, 2 ** 40] } }))
        const file = new Uint8Array(8 + header.byteLength + 100)
        new DataView(file.buffer).setBigUint64(0, BigInt(header.byteLength), true)
        file.set(header, 8)
        f.set(`hf/${B}`, file)
      },
      { _tag: 'InvalidShard', shard: `hf/${B}` },
    ],
    [
      'the index is not JSON',
      (f: Map<string, Uint8Array>) => f.set(INDEX, new TextEncoder().encode('{"weight_map": {')),
      { _tag: 'InvalidShardIndex', key: INDEX },
    ],
    [
      'the index is not UTF-8',
      (f: Map<string, Uint8Array>) => f.set(INDEX, Uint8Array.of(0x7b, 0xff, 0x7d)),
      { _tag: 'InvalidShardIndex' },
    ],
    ['the index has no weight_map', (f: Map<string, Uint8Array>) => f.set(INDEX, json({ metadata: {} })), { _tag: 'InvalidShardIndex' }],
    ['a weight_map value is not a string', index({ a: 1 }), { _tag: 'InvalidShardIndex' }],
    [
      'the index nests 100,000 arrays deep',
      (f: Map<string, Uint8Array>) =>
        f.set(INDEX, new TextEncoder().encode(`{"weight_map": {}, "metadata": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`)),
      { _tag: 'InvalidShardIndex' },
    ],
    ['a shard name climbs out of the folder', index({ a: '../model-00001-of-00002.safetensors' }), { _tag: 'InvalidShardIndex' }],
    ['a shard name is absolute', index({ a: '/etc/model.safetensors' }), { _tag: 'InvalidShardIndex' }],
    ['a shard name has a drive', index({ a: 'C:model.safetensors' }), { _tag: 'InvalidShardIndex' }],
    ['a shard is a pickle file', index({ a: 'pytorch_model-00001-of-00002.bin' }), { _tag: 'InvalidShardIndex' }],
  ] as const)('%s', async (_what, edit, expected) => {
    const failure = await readShardedSafetensors(await folder(edit), INDEX).then(
      () => null,
      (e: unknown) => e,
    )
    expect(failure).toMatchObject({ ...expected, name: `CheckpointFailure(${expected._tag})` })
    expect((failure as Error).message).toContain('hf/')
  })

  it('refuses an index over 10 MiB after reading 10 MiB + 1 bytes of it', async () => {
    const storage = await folder((f) => f.set(INDEX, new Uint8Array(64 * 1024 * 1024).fill(0x20)))
    let read = 0
    const counting: Storage = {
      ...storage,
      read: async (key, range) => {
        const bytes = await storage.read(key, range)
        read += bytes.byteLength
        return bytes
      },
    }
    await expect(readShardedSafetensors(counting, INDEX)).rejects.toMatchObject({ _tag: 'InvalidShardIndex', key: INDEX })
    expect(read).toBe(10 * 1024 * 1024 + 1)
  })

  it('a missing index is the storage failure NotFound', async () => {
    await expect(readShardedSafetensors(memoryStorage(), INDEX)).rejects.toMatchObject({
      _tag: 'StorageFailed',
      cause: { _tag: 'NotFound' },
    })
  })
})
