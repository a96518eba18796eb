// For random tensor records and random subsets of their names, a partial restore gives exactly those tensors, bit
// for bit, each in an array of its own, and reads no more of the file than the header and the blocks they touch.
import * as E from '#fp-ts/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BLOCK_BYTES } from '../../src/checkpointer/blocks.js'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { HEAD_BYTES } from '../../src/checkpointer/safetensors-head.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { readFrame } from '../../src/tensors/frame.js'
import type { Tensor, Tensors } from '../../src/tensors/index.js'
import { readCounting, touchedBlockBytes } from './read-counting-storage.js'
import { quiet } from './support.js'

const DTYPES = [
  ['F32', Float32Array],
  ['I32', Int32Array],
  ['U8', Uint8Array],
  ['F64', Float64Array],
  ['I16', Int16Array],
] as const

/** A tensor of up to about 600 KiB, each byte random, so that a misplaced byte shows. */
const tensor = fc
  .tuple(fc.integer({ min: 0, max: DTYPES.length - 1 }), fc.integer({ min: 0, max: 150_000 }), fc.integer())
  .map(([d, n, seed]): Tensor => {
    const [dtype, View] = DTYPES[d]!
    const data = new View(n)
    const bytes = new Uint8Array(data.buffer)
    let x = seed | 1
    for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 24
    return { dtype, shape: [n], data }
  })

const record = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !['__proto__', 'constructor', 'prototype', '__metadata__'].includes(s)),
  tensor,
  { minKeys: 1, maxKeys: 12 },
)

describe('partial restores of random records', () => {
  it('give exactly the tensors asked for and read only the header and their blocks', async () => {
    await fc.assert(
      fc.asyncProperty(
        record.chain((tensors) => fc.tuple(fc.constant(tensors), fc.subarray(Object.keys(tensors)))),
        async ([tensors, names]: [Tensors, string[]]) => {
          const counted = readCounting(memoryStorage())
          const ckpt = await createCheckpointer({
            storage: counted.storage,
            filepath: 'm.safetensors',
            monitor: 'loss',
            immutableSnapshots: true,
            ...quiet,
          })
          await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensors)
          counted.calls.length = 0
          const { value } = await ckpt.restore('latest', { tensors: names })
          expect(Object.keys(value).sort()).toEqual([...names].sort())
          for (const n of names) {
            const got = value[n]!
            const want = tensors[n]!
            expect(got.dtype).toBe(want.dtype)
            expect(got.shape).toEqual(want.shape)
            expect(got.data.constructor).toBe(want.data.constructor)
            expect(Buffer.from(got.data.buffer).equals(Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength))).toBe(
              true,
            )
            expect(got.data.buffer.byteLength).toBe(got.data.byteLength)
          }
          const read = counted.calls.filter((c) => c.key === 'm.safetensors').reduce((n, c) => n + c.bytes, 0)
          const file = await counted.storage.read('m.safetensors')
          const frame = readFrame(file, file.byteLength)
          if (E.isLeft(frame)) throw new Error(frame.left.message)
          const { header, dataStart } = frame.right
          const asked = header.tensors.filter((t) => names.includes(t.name) && t.end > t.begin)
          const ranges = asked.map((t) => ({ start: dataStart + t.begin, end: dataStart + t.end }))
          const head = { start: 0, end: Math.min(file.byteLength, Math.max(HEAD_BYTES, dataStart)) }
          const multiBlock = file.byteLength > BLOCK_BYTES
          // A file of one block is checked whole (one SHA-256, as before block checksums): it is read whole, once.
          expect(read).toBeLessThanOrEqual(
            multiBlock ? touchedBlockBytes([head, ...ranges], BLOCK_BYTES, file.byteLength) + BLOCK_BYTES : file.byteLength,
          )
          await ckpt.close()
        },
      ),
      { numRuns: 25 },
    )
  })
})
