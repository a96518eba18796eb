import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  decodeSafetensors,
  decodeSafetensorsStream,
  encodeSafetensors,
  encodeSafetensorsOrThrow,
  MAX_TENSOR_BYTES,
  type DecodedSafetensors,
} from '../../src/tensors/index.js'
import { bytesOf, concat, metadata, tensorSet } from './arbitraries.js'
import { buildFile, CASES } from './corpus.js'

/** `file` as chunks cut at `cuts` (positions, in any order), plus a record of how the stream was consumed. */
const streamOf = (file: Uint8Array, cuts: ReadonlyArray<number> = []) => {
  const at = [...new Set([0, ...cuts.map((c) => c % (file.length + 1)), file.length])].sort((a, b) => a - b)
  const seen = { pulled: 0, closed: false }
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (let k = 0; k + 1 < at.length; k++) {
        seen.pulled += at[k + 1]! - at[k]!
        yield file.slice(at[k], at[k + 1])
      }
    } finally {
      seen.closed = true
    }
  }
  return { chunks: chunks(), seen }
}

const expectSameAsWhole = (streamed: E.Either<unknown, DecodedSafetensors>, whole: E.Either<unknown, DecodedSafetensors>) => {
  if (E.isLeft(whole)) return expect(streamed).toEqual(whole)
  if (E.isLeft(streamed)) throw new Error(`expected a valid file, got ${JSON.stringify(streamed.left)}`)
  expect(Object.keys(streamed.right.tensors)).toEqual(Object.keys(whole.right.tensors))
  for (const [name, w] of Object.entries(whole.right.tensors)) {
    const s = streamed.right.tensors[name]!
    expect(s.dtype).toBe(w.dtype)
    expect(s.shape).toEqual(w.shape)
    expect(s.data.constructor).toBe(w.data.constructor)
    expect(bytesOf(s.data)).toEqual(bytesOf(w.data))
    // The tensor's own array: a buffer of exactly its bytes, shared with nothing.
    expect(s.data.byteOffset).toBe(0)
    expect(s.data.buffer.byteLength).toBe(s.data.byteLength)
  }
  expect({ ...streamed.right.metadata }).toEqual({ ...whole.right.metadata })
}

describe('decodeSafetensorsStream', () => {
  it('gives what decodeSafetensors gives, whatever the chunking, with every tensor in an array of its own', async () => {
    await fc.assert(
      fc.asyncProperty(tensorSet, metadata, fc.array(fc.nat(), { maxLength: 12 }), async (tensors, meta, cuts) => {
        const file = concat(encodeSafetensorsOrThrow(tensors, meta))
        const { chunks, seen } = streamOf(file, cuts)
        expectSameAsWhole(await decodeSafetensorsStream(chunks, file.length), decodeSafetensors(file, { copy: true }))
        expect(seen.closed).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it.each(CASES.map((c) => [c.name, c] as const))('the validation corpus, streamed byte by byte and in 7-byte chunks: %s', async (_, c) => {
    const file = buildFile(c)
    const whole = decodeSafetensors(file, { copy: true })
    const ones = Array.from({ length: file.length }, (_, i) => i)
    const sevens = ones.filter((i) => i % 7 === 0)
    for (const cuts of [ones, sevens]) expectSameAsWhole(await decodeSafetensorsStream(streamOf(file, cuts).chunks, file.length), whole)
  })

  it('stops reading at the file length it was given and lets go of the source', async () => {
    const file = concat(encodeSafetensorsOrThrow({ w: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } }))
    const { chunks, seen } = streamOf(concat([file, new Uint8Array(4096)]), [file.length, file.length + 10])
    const r = await decodeSafetensorsStream(chunks, file.length)
    expect(E.isRight(r)).toBe(true)
    expect(seen.pulled).toBe(file.length)
    expect(seen.closed).toBe(true)
  })

  it('a stream shorter than the file length given is MetadataIncompleteBuffer, not a hang', async () => {
    const file = concat(encodeSafetensorsOrThrow({ w: { dtype: 'U8', shape: [100], data: new Uint8Array(100) } }))
    const r = await decodeSafetensorsStream(streamOf(file.subarray(0, file.length - 30)).chunks, file.length)
    expect(E.isLeft(r) && r.left._tag).toBe('MetadataIncompleteBuffer')
  })

  it('refuses a tensor of more than MAX_TENSOR_BYTES (4 GiB) as TensorTooLarge, from the header alone', async () => {
    const big = MAX_TENSOR_BYTES + 1
    const header = new TextEncoder().encode(`{"big":{"dtype":"U8","shape":[${big}],"data_offsets":[0,${big}]}}`)
    const file = buildFile({ name: '', header, expect: 'ok' })
    const { chunks, seen } = streamOf(file)
    const r = await decodeSafetensorsStream(chunks, file.length + big)
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'TensorTooLarge', tensor: 'big', byteLength: big, limit: MAX_TENSOR_BYTES })
    expect(E.isLeft(r) && r.left.message).toContain(`at most ${MAX_TENSOR_BYTES} bytes`)
    expect(seen.closed).toBe(true)
  })
})

describe('encodeSafetensors and the 4 GiB limit of one tensor', () => {
  it('refuses a tensor of more than MAX_TENSOR_BYTES as TensorTooLarge, naming it and the limit', () => {
    // 4 GiB and 4 bytes of address space, never touched: no memory is used.
    const data = new Float32Array(MAX_TENSOR_BYTES / 4 + 1)
    const r = encodeSafetensors({ huge: { dtype: 'F32', shape: [data.length], data } })
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'TensorTooLarge', tensor: 'huge', byteLength: MAX_TENSOR_BYTES + 4 })
  })
})
