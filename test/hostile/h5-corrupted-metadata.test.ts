import h5wasm from 'h5wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeInChild, expectInvalidH5, validWeightsH5 } from './h5-support.js'

// Issue 11, item 7: HDF5 printed its errors to stderr and ckpt ignored them: a corrupted file gave a Right with
// zero groups, or with garbage. Each file here is ckpt's own encoder output with one byte flipped, at a place
// found from the file's structure (so the test does not depend on where things happen to be). ckpt now reads
// such files with its own reader (src/keras/h5-read.ts), which checks each structure it follows.

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const indexOf = (bytes: Uint8Array, signature: string): number => Buffer.from(bytes).indexOf(text(signature))
const flipped = (bytes: Uint8Array, at: number): Uint8Array => {
  const copy = bytes.slice()
  copy[at] = (copy[at] ?? 0) ^ 0xff
  return copy
}

/** The address of the object at `path` in `bytes` (its HDF5 object reference). */
const addressOf = async (bytes: Uint8Array, path: string): Promise<number> => {
  const module = await h5wasm.ready
  module.FS.writeFile('/corrupt-probe.h5', bytes)
  const f = new h5wasm.File('/corrupt-probe.h5', 'r')
  try {
    const object = f.get(path) as InstanceType<typeof h5wasm.Group> | null
    if (object === null) throw new Error(`no ${path}`)
    return Number(Buffer.from(object.create_reference().ref_data).readBigUInt64LE(0))
  } finally {
    f.close()
    module.FS.unlink('/corrupt-probe.h5')
  }
}

/**
 * Where the data of the first message of `type` starts, in the version 1 object header at `header`
 * (HDF5 file format spec, "Version 1 Data Object Header Prefix"), following continuation blocks.
 */
const messageData = (bytes: Uint8Array, header: number, type: number): number => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  expect(bytes[header]).toBe(1) // a version 1 object header, as ckpt's encoder (libver earliest) writes
  const blocks = [{ at: header + 16, end: header + 16 + view.getUint32(header + 8, true) }]
  for (let block = blocks.shift(); block !== undefined; block = blocks.shift())
    for (let at = block.at; at + 8 <= block.end; at += 8 + view.getUint16(at + 2, true)) {
      const found = view.getUint16(at, true)
      if (found === type) return at + 8
      if (found === CONTINUATION)
        blocks.push({
          at: Number(view.getBigUint64(at + 8, true)),
          end: Number(view.getBigUint64(at + 8, true) + view.getBigUint64(at + 16, true)),
        })
    }
  throw new Error(`no message of type ${type} in the object header at ${header}`)
}

const CONTINUATION = 0x10

/** Where the value of the version 1 attribute message at `message` starts (name, datatype, dataspace: 8-byte padded). */
const attributeValue = (bytes: Uint8Array, message: number): number => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const padded = (n: number): number => Math.ceil(n / 8) * 8
  expect(bytes[message]).toBe(1)
  return (
    message +
    8 +
    padded(view.getUint16(message + 2, true)) +
    padded(view.getUint16(message + 4, true)) +
    padded(view.getUint16(message + 6, true))
  )
}
const SYMBOL_TABLE = 0x11
const DATA_LAYOUT = 0x08
const ATTRIBUTE = 0x0c

describe('a .weights.h5 with corrupted metadata is InvalidH5, never a Right with zero groups or garbage', () => {
  let valid: Uint8Array = new Uint8Array(0)
  beforeAll(async () => {
    valid = await validWeightsH5()
  })

  it('a corruption is refused, naming the object whose structure it breaks and how', async () => {
    const root = indexOf(valid, 'TREE') // the root group's B-tree: the first one written
    const denseVars = messageData(valid, await addressOf(valid, '/layers/dense/vars'), SYMBOL_TABLE)
    const kernel = messageData(valid, await addressOf(valid, '/layers/dense/vars/0'), DATA_LAYOUT)
    // The `name` attribute's value: a variable-length string, stored as its length (4 bytes) and a global heap ID.
    const name = attributeValue(valid, messageData(valid, await addressOf(valid, '/layers/dense/vars'), ATTRIBUTE))
    const { outcomes, stderr } = await decodeInChild([
      // main: a Right with zero groups (HDF5 lists nothing, without an error)
      ['root-btree-key.weights.h5', flipped(valid, root + 24)],
      // main: a Right whose dense layer has no weights (HDF5's listing error went to stderr)
      ['vars-symbol-table.weights.h5', flipped(valid, denseVars)],
      // main: a Right whose dense layer is named with garbage (its string's heap address is off)
      ['name-heap-address.weights.h5', flipped(valid, name + 4)],
      // main: InvalidH5 "error - name not defined!", naming no object (the raw data address points past the end)
      ['kernel-address.weights.h5', flipped(valid, kernel + 2 + 7)],
    ])
    expectInvalidH5(
      outcomes[0],
      '/',
      /at '\/': key 0 of the B-tree node at byte \d+ names offset 255 of the group's local heap, where no name is/,
    )
    expectInvalidH5(outcomes[1], '/layers/dense/vars', /at '\/layers\/dense\/vars': no B-tree node at byte \d+ \(no 'TREE' signature\)/)
    expectInvalidH5(
      outcomes[2],
      '/layers/dense/vars',
      /at '\/layers\/dense\/vars': no global heap collection at byte \d+ \(no 'GCOL' signature\)/,
    )
    expectInvalidH5(
      outcomes[3],
      '/layers/dense/vars/0',
      /at '\/layers\/dense\/vars\/0': the layout message holds the address \d+, past any file/,
    )
    for (const o of outcomes) expect(o && 'left' in o ? o.left.message : '').not.toMatch(/ckpt-keras-\d+/) // the scratch file is not named
    expect(stderr).toBe('') // HDF5's error stacks are not printed
  })

  it('a global heap collection HDF5 would loop on (its size byte flipped) is refused before HDF5 reads it', async () => {
    // main: never returned (HDF5 2.0 walks the collection's object list forever)
    const heap = indexOf(valid, 'GCOL') // the collection holding the `name` strings
    // 4,096 bytes become 4,351; zeros appended keep the larger collection inside the file (HDF5 allows trailing bytes).
    const grown = new Uint8Array(valid.length + 512)
    grown.set(flipped(valid, heap + 8))
    const { outcomes } = await decodeInChild([['global-heap-size.weights.h5', grown]])
    // ckpt's reader walks a collection when it reads a string from it: the first is the dense layer's name.
    expectInvalidH5(outcomes[0], '/layers/dense/vars', /the global heap collection at byte \d+ is corrupt/)
  })

  it('every 31st byte flipped in turn: a typed refusal or a file with groups, in time, nothing printed', async () => {
    const files = Array.from(
      { length: Math.ceil(valid.length / 31) },
      (_, k) => [`flip-${k * 31}.weights.h5`, flipped(valid, k * 31)] as const,
    )
    const { outcomes, stderr } = await decodeInChild(files)
    expect(outcomes).toHaveLength(files.length)
    outcomes.forEach((o, k) => {
      const at = `byte ${k * 31}`
      if ('left' in o) expect(o.left._tag, at).toBe('InvalidH5')
      else expect(o.groups.length, at).toBeGreaterThan(0)
    })
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(5_000)
    expect(stderr).toBe('')
  })
})
