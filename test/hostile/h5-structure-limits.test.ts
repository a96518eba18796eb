import { describe, expect, it } from 'vitest'
import { encodeWeightsH5 } from '../../src/keras/h5.js'
import { MAX_H5_HEAP_BYTES } from '../../src/keras/h5-read.js'
import { decodeInChild, expectInvalidH5 } from './h5-support.js'

// ckpt's own HDF5 reader (src/keras/h5-read.ts) reads heaps whole and follows B-trees: a planted size or link must
// not make it allocate gigabytes or read a node twice. Each file is a valid ckpt-written file with one field
// rewritten, found by its structure's signature (the root group's structures are written first).

const valid = async (): Promise<Uint8Array> => {
  // 9 layers: the `layers` group's names fill two symbol table nodes under one B-tree node.
  const r = await encodeWeightsH5({
    groups: [
      { path: '', name: 'sequential', vars: [] },
      ...Array.from({ length: 9 }, (_, i) => ({
        path: `layers/dense_${i}`,
        name: `dense_${i}`,
        vars: [{ dtype: 'float32' as const, shape: [2], data: Float32Array.of(i, i) }],
      })),
    ],
  })
  if (r._tag === 'Left') throw new Error(r.left.message)
  return r.right
}

const at = (bytes: Uint8Array, signature: string, nth = 0): number => {
  let p = -1
  for (let k = 0; k <= nth; k++) p = Buffer.from(bytes).indexOf(signature, p + 1)
  if (p < 0) throw new Error(`no ${signature}`)
  return p
}

const patched = (bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array => {
  const copy = bytes.slice()
  edit(new DataView(copy.buffer))
  return copy
}

describe("ckpt's HDF5 reader keeps its limits on planted sizes and links", () => {
  it('a local heap or a global heap collection over 64 MiB, a B-tree reaching one node twice, a node over its 2K entries', async () => {
    const bytes = await valid()
    const heap = at(bytes, 'HEAP')
    const collection = at(bytes, 'GCOL')
    // The `layers` group's B-tree (the second one written, after the root's) has two children: make them one.
    const tree = at(bytes, 'TREE', 1)
    const snod = at(bytes, 'SNOD', 1)
    expect(new DataView(bytes.buffer).getUint16(tree + 6, true)).toBe(2)
    const { outcomes, stderr } = await decodeInChild([
      ['local-heap.weights.h5', patched(bytes, (v) => v.setBigUint64(heap + 8, BigInt(MAX_H5_HEAP_BYTES + 8), true))],
      ['global-heap.weights.h5', patched(bytes, (v) => v.setBigUint64(collection + 8, BigInt(MAX_H5_HEAP_BYTES + 4096), true))],
      ['btree-twice.weights.h5', patched(bytes, (v) => v.setBigUint64(tree + 24 + 8 + 16, v.getBigUint64(tree + 24 + 8, true), true))],
      ['snod-count.weights.h5', patched(bytes, (v) => v.setUint16(snod + 6, 9, true))],
    ])
    expectInvalidH5(outcomes[0], '/', /the group's local heap holds 67108872 bytes; ckpt reads at most 67108864/)
    expectInvalidH5(
      outcomes[1],
      '/layers/dense_0/vars',
      /the global heap collection at byte \d+ holds 67112960 bytes; ckpt reads at most 67108864/,
    )
    expectInvalidH5(outcomes[2], '/layers', /the group's symbol table node at byte \d+ is reached twice/)
    expectInvalidH5(outcomes[3], '/layers', /the symbol table node at byte \d+ holds 9 entries, more than 8/)
    expect(stderr).toBe('')
  })
})
