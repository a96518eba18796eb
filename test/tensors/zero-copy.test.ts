import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeSafetensors, encodeHeader, encodeSafetensorsOrThrow } from '../../src/tensors/index.js'
import { bytesOf, concat, metadata, tensorSet } from './arbitraries.js'

/** The file placed at byte `shift` of a larger buffer. */
const shifted = (file: Uint8Array, shift: number): Uint8Array => {
  const holder = new Uint8Array(file.length + shift + 8)
  holder.set(file, shift)
  return holder.subarray(shift, shift + file.length)
}

describe('safetensors zero-copy', () => {
  it('the writer returns the header, then views of the tensors own buffers, no copies', () => {
    fc.assert(
      fc.property(tensorSet, metadata, (tensors, meta) => {
        const [header, ...views] = encodeSafetensorsOrThrow(tensors, meta)
        expect(header).toBeDefined()
        const nonEmpty = Object.values(tensors).filter((t) => t.data.byteLength > 0)
        expect(views).toHaveLength(nonEmpty.length)
        for (const v of views) {
          const owner = nonEmpty.find((t) => t.data.buffer === v.buffer)
          expect(owner).toBeDefined()
          expect(v.byteOffset).toBe(owner!.data.byteOffset)
          expect(v.byteLength).toBe(owner!.data.byteLength)
        }
      }),
    )
  })

  it('a writer view aliases the caller array: a later change to the array shows in the chunk', () => {
    const data = new Float32Array([1, 2])
    const [, view] = encodeSafetensorsOrThrow({ w: { dtype: 'F32', shape: [2], data } })
    data[0] = 7
    expect(new Float32Array(view!.slice().buffer)[0]).toBe(7)
  })

  it('every decoded tensor views the input buffer when the file starts 8-aligned', () => {
    fc.assert(
      fc.property(tensorSet, metadata, fc.integer({ min: 0, max: 3 }), (tensors, meta, k) => {
        const file = shifted(concat(encodeSafetensorsOrThrow(tensors, meta)), 8 * k)
        const r = decodeSafetensors(file)
        if (E.isLeft(r)) throw new Error(r.left.message)
        for (const t of Object.values(r.right.tensors)) {
          expect(t.data.buffer).toBe(file.buffer)
          expect(t.data.byteOffset).toBeGreaterThanOrEqual(file.byteOffset)
          expect(t.data.byteOffset + t.data.byteLength).toBeLessThanOrEqual(file.byteOffset + file.byteLength)
        }
      }),
    )
  })

  it('at any shift, a tensor is a view exactly when its data is element-aligned, and its bytes are right either way', () => {
    fc.assert(
      fc.property(tensorSet, fc.integer({ min: 0, max: 15 }), (tensors, shift) => {
        const layout = encodeHeader(tensors)
        if (E.isLeft(layout)) throw new Error(layout.left.message)
        const file = shifted(concat(encodeSafetensorsOrThrow(tensors)), shift)
        const r = decodeSafetensors(file)
        if (E.isLeft(r)) throw new Error(r.left.message)
        for (const entry of layout.right.entries) {
          const t = r.right.tensors[entry.name]!
          const unit = (t.data as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
          const position = file.byteOffset + layout.right.header.length + entry.begin
          expect(t.data.buffer === file.buffer).toBe(position % unit === 0)
          if (t.data.buffer === file.buffer) expect(t.data.byteOffset).toBe(position)
          expect(bytesOf(t.data)).toEqual(bytesOf(tensors[entry.name]!.data))
        }
      }),
    )
  })

  it('an F32 tensor at an odd address is copied, not viewed', () => {
    const file = shifted(concat(encodeSafetensorsOrThrow({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1.5, -2]) } })), 1)
    const r = decodeSafetensors(file)
    if (E.isLeft(r)) throw new Error(r.left.message)
    const w = r.right.tensors['w']!
    expect(w.data.buffer).not.toBe(file.buffer)
    expect([...(w.data as Float32Array)]).toEqual([1.5, -2])
  })

  it('reads a file held in a SharedArrayBuffer, viewing its tensors', () => {
    const file = concat(encodeSafetensorsOrThrow({ w: { dtype: 'F64', shape: [2], data: new Float64Array([1, -2]) } }, { a: 'b' }))
    const shared = new Uint8Array(new SharedArrayBuffer(file.length))
    shared.set(file)
    const r = decodeSafetensors(shared)
    if (E.isLeft(r)) throw new Error(r.left.message)
    expect(r.right.tensors['w']!.data.buffer).toBe(shared.buffer)
    expect([...(r.right.tensors['w']!.data as Float64Array)]).toEqual([1, -2])
    expect({ ...r.right.metadata }).toEqual({ a: 'b' })
  })

  it('copy: true gives tensors that share nothing with the input', () => {
    fc.assert(
      fc.property(tensorSet, (tensors) => {
        const file = concat(encodeSafetensorsOrThrow(tensors))
        const r = decodeSafetensors(file, { copy: true })
        if (E.isLeft(r)) throw new Error(r.left.message)
        for (const t of Object.values(r.right.tensors)) expect(t.data.buffer).not.toBe(file.buffer)
      }),
    )
  })

  it('a view sees later changes to the input bytes; a copy does not', () => {
    const file = concat(encodeSafetensorsOrThrow({ w: { dtype: 'U8', shape: [1], data: new Uint8Array([5]) } }))
    const view = decodeSafetensors(file)
    const copy = decodeSafetensors(file, { copy: true })
    file[file.length - 1] = 9
    expect(E.isRight(view) && view.right.tensors['w']!.data[0]).toBe(9)
    expect(E.isRight(copy) && copy.right.tensors['w']!.data[0]).toBe(5)
  })
})
