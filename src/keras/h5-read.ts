import { jsonText } from './errors.js'
import { CLASS, dtypeOfDatatype, describeDatatype, DTYPE_BYTES, MSG, pad8 } from './h5-format.js'
import { H5Refusal } from './h5-session.js'
import type { ByteSource } from './h5-source.js'
import { superblockProblem } from './h5-superblock.js'
import { declaredData, MAX_H5_DEPTH, noVarsGroup, reachedOnce, shownPath, tooDeep } from './h5-walk.js'
import type { KerasDtype, VarsGroup } from './weights-file.js'

/**
 * ckpt's own HDF5 reader for Keras weights files: the structure (groups, `name` attributes, each dataset's dtype,
 * shape and place in the file) read from a {@link ByteSource} with small reads, the data left where it is, for the
 * caller to read straight into arrays. It reads what h5py writes for Keras (see `h5-format.ts`); anything else
 * HDF5 allows (newer object headers and groups, chunked or compact datasets, soft links, external storage)
 * throws {@link H5Unsupported}, and the caller reads the file with HDF5 itself (h5wasm) instead.
 *
 * Every address is checked against the file's length before it is read, every object is reached once (a cycle
 * or an object linked twice is refused), groups nest at most `MAX_H5_DEPTH` deep, the datasets declare at most
 * the file's length in all, and heaps are read whole only up to {@link MAX_H5_HEAP_BYTES}: a hostile file costs
 * time and memory in proportion to its length.
 */

/** The file uses HDF5 features outside what Keras writes; read it with HDF5 (h5wasm). Caught inside ckpt/keras. */
export class H5Unsupported extends Error {
  constructor(
    readonly object: string,
    readonly reason: string,
  ) {
    super(reason)
  }
}

/** The most a local heap (a group's names) or a global heap collection (strings) may hold: 64 MiB. */
export const MAX_H5_HEAP_BYTES = 64 << 20

/** Where a dataset's data is: `byteLength` bytes at `offset` in the file, C order, little-endian. */
export interface H5Data {
  readonly offset: number
  readonly byteLength: number
}

/** A dataset as read from the structure: dtype, shape, and where its data is. */
export interface H5Dataset {
  readonly dtype: KerasDtype
  readonly shape: ReadonlyArray<number>
  readonly data: H5Data
}

const refuse = (object: string, reason: string): never => {
  throw new H5Refusal(shownPath(object), reason)
}
const unsupported = (object: string, reason: string): never => {
  throw new H5Unsupported(shownPath(object), reason)
}

const ONLY_INSIDE = 'ckpt reads only data stored in the file itself, as Keras writes it'
const decoder = new TextDecoder()

/** Little-endian reads from one block of the file, each checked against its end. */
class Cursor {
  private readonly view: DataView
  constructor(
    readonly bytes: Uint8Array,
    private readonly ctx: Context,
    private readonly object: string,
    private readonly what: string,
    public at = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  private need(n: number): number {
    if (this.at + n > this.bytes.length) refuse(this.object, `${this.what} is cut short (${this.bytes.length} bytes)`)
    const at = this.at
    this.at += n
    return at
  }
  u8(): number {
    return this.view.getUint8(this.need(1))
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true)
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true)
  }
  skip(n: number): void {
    this.need(n)
  }
  take(n: number): Uint8Array {
    const at = this.need(n)
    return this.bytes.subarray(at, at + n)
  }
  private uint(size: number): bigint {
    const at = this.need(size)
    let v = 0n
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[at + i]!)
    return v
  }
  /** A length as a number, rounded past 2^53 (for a length that is compared with a bound at once). */
  approximateLength(): number {
    return Number(this.uint(this.ctx.lengths))
  }
  /** A length (the superblock's size of lengths); refused past 2^53. */
  length(): number {
    const v = this.uint(this.ctx.lengths)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) refuse(this.object, `${this.what} holds a length of ${v} bytes`)
    return Number(v)
  }
  /** An address (the superblock's size of offsets), from the base address; null for HDF5's undefined address (all ones). */
  address(): number | null {
    const size = this.ctx.offsets
    const v = this.uint(size)
    if (v === (1n << BigInt(8 * size)) - 1n) return null
    const at = v + BigInt(this.ctx.base)
    if (at > BigInt(Number.MAX_SAFE_INTEGER)) refuse(this.object, `${this.what} holds the address ${v}, past any file`)
    return Number(at)
  }
}

interface Context {
  readonly source: ByteSource
  readonly offsets: number
  readonly lengths: number
  readonly base: number
  readonly leafK: number
  readonly internalK: number
}

/** `length` bytes at `address`, refused when they run past the end of the file. */
const bytesAt = (ctx: Context, address: number, length: number, object: string, what: string): Promise<Uint8Array> => {
  if (address + length > ctx.source.size)
    refuse(object, `${what} at byte ${address} (${length} bytes) runs past the end of the file (${ctx.source.size} bytes)`)
  return ctx.source.read(address, length)
}

const cursorAt = async (ctx: Context, address: number, length: number, object: string, what: string): Promise<Cursor> =>
  new Cursor(await bytesAt(ctx, address, length, object, what), ctx, object, what)

const signatureIs = (bytes: Uint8Array, signature: string): boolean =>
  bytes.length >= 4 && [...signature].every((c, i) => bytes[i] === c.charCodeAt(0))

interface Superblock extends Context {
  readonly root: number
}

/** The superblock (versions 0 and 1; 2 and 3 are HDF5 1.8's, left to HDF5) and the root group's address. */
const readSuperblock = async (source: ByteSource): Promise<Superblock> => {
  const head = await source.read(0, Math.min(source.size, 128))
  const problem = superblockProblem(head, source.size)
  if (problem !== null) refuse('/', problem)
  const version = head[8]!
  if (version > 1) unsupported('/', `superblock version ${version}`)
  const probe: Context = { source, offsets: head[13]!, lengths: head[14]!, base: 0, leafK: 0, internalK: 0 }
  const c = new Cursor(head, probe, '/', 'the HDF5 superblock', 16)
  const leafK = c.u16()
  const internalK = c.u16()
  if (leafK === 0 || internalK === 0)
    refuse('/', `the HDF5 superblock gives B-tree K values ${leafK} and ${internalK}; they must be positive`)
  c.skip(version === 1 ? 8 : 4) // consistency flags; version 1: indexed storage K and reserved
  const base = c.address() ?? 0
  c.address() // free-space info
  c.address() // end of file (checked above)
  if (c.address() !== null) unsupported('/', 'a file driver information block (a multi-file driver)')
  const ctx: Context = { ...probe, base, leafK, internalK }
  const entry = new Cursor(head.subarray(c.at), ctx, '/', "the root group's symbol table entry")
  entry.address() // link name offset
  const root = entry.address()
  if (root === null) return refuse('/', 'the superblock has no root group')
  return { ...ctx, root }
}

interface Message {
  readonly type: number
  readonly flags: number
  readonly data: Uint8Array
}

/** The messages of the version 1 object header at `address`, its continuation blocks followed. */
const readObjectHeader = async (ctx: Context, address: number, object: string): Promise<ReadonlyArray<Message>> => {
  const prefix = await bytesAt(ctx, address, 16, object, 'the object header')
  if (signatureIs(prefix, 'OHDR')) unsupported(object, 'a version 2 object header')
  const c = new Cursor(prefix, ctx, object, 'the object header')
  const version = c.u8()
  if (version !== 1) refuse(object, `the object header at byte ${address} has version ${version}; HDF5 writes version 1 or 2`)
  c.skip(1)
  const count = c.u16()
  c.skip(4)
  const blocks = [{ at: address + 16, length: c.u32() }]
  const seen = new Set<number>()
  const messages: Message[] = []
  for (let block = blocks.shift(); block !== undefined; block = blocks.shift()) {
    if (seen.has(block.at)) refuse(object, `the object header's continuation at byte ${block.at} is reached twice`)
    seen.add(block.at)
    const b = await cursorAt(ctx, block.at, block.length, object, 'an object header block')
    while (b.at + 8 <= block.length) {
      const type = b.u16()
      const size = b.u16()
      const flags = b.u8()
      b.skip(3)
      const data = b.take(size)
      if (messages.length === count) refuse(object, `the object header holds more than the ${count} messages it declares`)
      messages.push({ type, flags, data })
      if (type === MSG.continuation) {
        const m = new Cursor(data, ctx, object, 'a continuation message')
        const at = m.address()
        const length = m.length()
        if (at !== null) blocks.push({ at, length })
      }
    }
  }
  return messages
}

const SHARED = 0x02
/** The messages of `type`; a shared one (stored elsewhere, which Keras never writes) is left to HDF5. */
const messagesOf = (messages: ReadonlyArray<Message>, type: number, object: string): ReadonlyArray<Uint8Array> =>
  messages.filter((m) => m.type === type).map((m) => (m.flags & SHARED ? unsupported(object, 'a shared object header message') : m.data))

type Kind =
  { readonly _tag: 'Group'; readonly btree: number; readonly heap: number } | { readonly _tag: 'Dataset' } | { readonly _tag: 'Other' }

const kindOf = (ctx: Context, messages: ReadonlyArray<Message>, object: string): Kind => {
  if (messages.some((m) => m.type === MSG.linkInfo || m.type === MSG.link || m.type === MSG.groupInfo))
    return unsupported(object, 'a group of the HDF5 1.8 kind (link messages)')
  const stab = messagesOf(messages, MSG.symbolTable, object)[0]
  if (stab !== undefined) {
    const c = new Cursor(stab, ctx, object, 'the symbol table message')
    const btree = c.address()
    const heap = c.address()
    if (btree === null || heap === null) return refuse(object, 'the group has no B-tree or no local heap')
    return { _tag: 'Group', btree, heap }
  }
  return messages.some((m) => m.type === MSG.layout) ? { _tag: 'Dataset' } : { _tag: 'Other' }
}

/** A group's local heap: its names, NUL-terminated, looked up by offset (null for an offset that starts no name in it). */
const readLocalHeap = async (ctx: Context, address: number, object: string): Promise<(offset: number) => string | null> => {
  const c = await cursorAt(ctx, address, 8 + 2 * ctx.lengths + ctx.offsets, object, 'the local heap')
  if (!signatureIs(c.take(4), 'HEAP')) refuse(object, `no local heap at byte ${address} (no 'HEAP' signature)`)
  c.skip(4)
  const size = c.length()
  c.length() // free list
  const data = c.address()
  if (size > MAX_H5_HEAP_BYTES) refuse(object, `the group's local heap holds ${size} bytes; ckpt reads at most ${MAX_H5_HEAP_BYTES}`)
  if (data === null) return refuse(object, 'the local heap has no data segment')
  const bytes = await bytesAt(ctx, data, size, object, "the local heap's data")
  return (offset) => {
    const end = offset < bytes.length ? bytes.indexOf(0, offset) : -1
    return end < 0 ? null : decoder.decode(bytes.subarray(offset, end))
  }
}

interface Link {
  readonly name: string
  readonly address: number
}

/** The links of a symbol-table group, in the B-tree's order (by name), each B-tree and symbol table node read once. */
const readLinks = async (ctx: Context, group: { readonly btree: number; readonly heap: number }, object: string): Promise<Link[]> => {
  const nameAt = await readLocalHeap(ctx, group.heap, object)
  const name = (offset: number, where: string): string =>
    nameAt(offset) ?? refuse(object, `${where} names offset ${offset} of the group's local heap, where no name is`)
  const links: Link[] = []
  const seen = new Set<number>()
  const once = (address: number, what: string): void => {
    if (seen.has(address)) refuse(object, `the group's ${what} at byte ${address} is reached twice`)
    seen.add(address)
  }
  const symbolNode = async (address: number): Promise<void> => {
    once(address, 'symbol table node')
    const head = await cursorAt(ctx, address, 8, object, 'a symbol table node')
    if (!signatureIs(head.take(4), 'SNOD')) refuse(object, `no symbol table node at byte ${address} (no 'SNOD' signature)`)
    head.skip(2)
    const count = head.u16()
    if (count > 2 * ctx.leafK) refuse(object, `the symbol table node at byte ${address} holds ${count} entries, more than ${2 * ctx.leafK}`)
    const entrySize = 2 * ctx.offsets + 24
    const c = await cursorAt(ctx, address + 8, count * entrySize, object, 'a symbol table node')
    for (let i = 0; i < count; i++) {
      const n = name(c.length(), `entry ${i} of the symbol table node at byte ${address}`)
      const header = c.address()
      const cache = c.u32()
      c.skip(20)
      if (cache === 2) unsupported(`${object === '/' ? '' : object}/${n}`, 'a soft link')
      if (header === null) return refuse(`${object === '/' ? '' : object}/${n}`, 'the link has no object')
      links.push({ name: n, address: header })
    }
  }
  const btreeNode = async (address: number, level: number | null): Promise<void> => {
    once(address, 'B-tree node')
    const head = await cursorAt(ctx, address, 8 + 2 * ctx.offsets, object, 'a B-tree node')
    if (!signatureIs(head.take(4), 'TREE')) refuse(object, `no B-tree node at byte ${address} (no 'TREE' signature)`)
    const type = head.u8()
    const nodeLevel = head.u8()
    const count = head.u16()
    if (type !== 0) refuse(object, `the B-tree node at byte ${address} is of type ${type}, not a group's (0)`)
    if (level !== null && nodeLevel !== level)
      refuse(object, `the B-tree node at byte ${address} is at level ${nodeLevel}, expected ${level}`)
    if (count > 2 * ctx.internalK)
      refuse(object, `the B-tree node at byte ${address} has ${count} children, more than ${2 * ctx.internalK}`)
    const c = await cursorAt(ctx, address + 8 + 2 * ctx.offsets, count * (ctx.lengths + ctx.offsets) + ctx.lengths, object, 'a B-tree node')
    const children: number[] = []
    for (let i = 0; i <= count; i++) {
      name(c.length(), `key ${i} of the B-tree node at byte ${address}`) // HDF5 finds names by the keys
      if (i < count) {
        const child = c.address()
        if (child === null) return refuse(object, `the B-tree node at byte ${address} has an undefined child`)
        children.push(child)
      }
    }
    for (const child of children) await (nodeLevel === 0 ? symbolNode(child) : btreeNode(child, nodeLevel - 1))
  }
  await btreeNode(group.btree, null)
  return links
}

interface Attribute {
  readonly name: string
  readonly type: Uint8Array
  readonly elements: number
  readonly value: Uint8Array
}

/** The attribute messages of an object (versions 1 to 3). */
const attributesOf = (ctx: Context, messages: ReadonlyArray<Message>, object: string): ReadonlyArray<Attribute> =>
  messagesOf(messages, MSG.attribute, object).map((data) => {
    const c = new Cursor(data, ctx, object, 'an attribute message')
    const version = c.u8()
    const flags = c.u8()
    if (version < 1 || version > 3) refuse(object, `an attribute message has version ${version}`)
    if (version > 1 && flags & 0x03) unsupported(object, 'an attribute with a shared datatype or dataspace')
    const nameSize = c.u16()
    const typeSize = c.u16()
    const spaceSize = c.u16()
    if (version === 3) c.skip(1) // the name's character set
    const field = (n: number): Uint8Array => {
      const bytes = c.take(n)
      if (version === 1) c.skip(pad8(n) - n)
      return bytes
    }
    const rawName = field(nameSize)
    const type = field(typeSize)
    const space = field(spaceSize)
    const end = rawName.indexOf(0)
    return {
      name: decoder.decode(end < 0 ? rawName : rawName.subarray(0, end)),
      type,
      elements: elementsOf(ctx, space, object),
      value: c.bytes.subarray(c.at),
    }
  })

/** The dimensions of a dataspace message (versions 1 and 2); a scalar is `[]`, a null dataspace (no element) null. */
const dimensionsOf = (ctx: Context, space: Uint8Array, object: string): ReadonlyArray<number> | null => {
  const c = new Cursor(space, ctx, object, 'a dataspace message')
  const version = c.u8()
  const rank = c.u8()
  c.u8() // flags
  if (version === 1) c.skip(5)
  else if (version === 2) {
    if (c.u8() === 2) return null
  } else refuse(object, `a dataspace message has version ${version}`)
  if (rank > 32) refuse(object, `a dataspace has ${rank} dimensions (HDF5 allows 32)`)
  return Array.from({ length: rank }, () => c.length())
}

const elementsOf = (ctx: Context, space: Uint8Array, object: string): number =>
  (dimensionsOf(ctx, space, object) ?? [0]).reduce((a, b) => a * b, 1)

/** A string attribute's value (a variable-length string in a global heap, or a fixed-length one), or null for another type. */
const stringValue = async (ctx: Context, heaps: GlobalHeaps, a: Attribute, object: string): Promise<string | null> => {
  if (a.elements !== 1 || a.type.length < 8) return null
  const cls = a.type[0]! & 0x0f
  if (cls === CLASS.string) {
    const size = new DataView(a.type.buffer, a.type.byteOffset).getUint32(4, true)
    const bytes = new Cursor(a.value, ctx, object, `the attribute '${a.name}'`).take(size)
    let end = bytes.indexOf(0)
    if (end < 0) end = bytes.length
    while (end > 0 && bytes[end - 1] === 0x20 && (a.type[1]! & 0x0f) === 2) end-- // space-padded
    return decoder.decode(bytes.subarray(0, end))
  }
  if (cls !== CLASS.variableLength || (a.type[1]! & 0x0f) !== 1) return null
  const c = new Cursor(a.value, ctx, object, `the attribute '${a.name}'`)
  const length = c.u32()
  const collection = c.address()
  const index = c.u32()
  if (length === 0) return ''
  if (collection === null) return refuse(object, `the attribute '${a.name}' has no global heap collection`)
  const stored = await heaps.object(collection, index, object)
  if (stored.length < length) refuse(object, `the attribute '${a.name}' is ${length} bytes; its global heap object holds ${stored.length}`)
  return decoder.decode(stored.subarray(0, length))
}

interface GlobalHeaps {
  object(collection: number, index: number, object: string): Promise<Uint8Array>
}

/** Global heap collections, each read whole once and walked as HDF5 walks it (its objects must tile it exactly). */
const globalHeaps = (ctx: Context): GlobalHeaps => {
  const collections = new Map<number, Promise<ReadonlyMap<number, Uint8Array>>>()
  const load = async (at: number, object: string): Promise<ReadonlyMap<number, Uint8Array>> => {
    const c = await cursorAt(ctx, at, 8 + ctx.lengths, object, 'a global heap collection')
    if (!signatureIs(c.take(4), 'GCOL')) refuse(object, `no global heap collection at byte ${at} (no 'GCOL' signature)`)
    c.skip(4)
    const size = c.length()
    if (size > MAX_H5_HEAP_BYTES)
      refuse(object, `the global heap collection at byte ${at} holds ${size} bytes; ckpt reads at most ${MAX_H5_HEAP_BYTES}`)
    const bytes = await bytesAt(ctx, at, size, object, 'a global heap collection')
    const objects = new Map<number, Uint8Array>()
    const header = 8 + ctx.lengths
    for (let p = header; p + header <= size;) {
      const o = new Cursor(bytes, ctx, object, 'a global heap collection', p)
      const index = o.u16()
      o.skip(6)
      const length = o.approximateLength()
      const need = index > 0 ? header + pad8(length) : length
      if (need === 0 || p + need > size)
        refuse(
          object,
          `the global heap collection at byte ${at} is corrupt: its entry at byte ${at + p} ${need === 0 ? 'has length 0' : 'runs past the collection'}`,
        )
      if (index > 0) objects.set(index, bytes.subarray(p + header, p + header + length))
      p += need
    }
    return objects
  }
  return {
    object: async (at, index, object) => {
      let loading = collections.get(at)
      if (loading === undefined) {
        loading = load(at, object)
        collections.set(at, loading)
      }
      const found = (await loading).get(index)
      return found ?? refuse(object, `the global heap collection at byte ${at} has no object ${index}`)
    },
  }
}

/** The contiguous data of a dataset's layout message (versions 3 and 4); other layouts are left to HDF5. */
const contiguousData = (ctx: Context, layout: Uint8Array, object: string): { readonly address: number | null; readonly size: number } => {
  const c = new Cursor(layout, ctx, object, 'the layout message')
  const version = c.u8()
  if (version !== 3 && version !== 4) return unsupported(object, `a layout message of version ${version}`)
  const cls = c.u8()
  if (cls !== 1) return unsupported(object, ['compact', 'contiguous', 'chunked', 'virtual'][cls] ?? `layout class ${cls}`)
  return { address: c.address(), size: c.length() }
}

/** A `.weights.h5` file's structure: its `vars` groups in the file's order, each dataset's data left in the file. */
export interface H5Layout {
  readonly groups: ReadonlyArray<VarsGroup<H5Data>>
}

const joinPath = (parent: string, name: string): string => `${parent === '/' ? '' : parent}/${name}`

/**
 * The `vars` groups of the weights file in `source`, depth first in name order, each dataset's data located.
 * Throws an `H5Refusal` naming the object for what is not a readable Keras weights file (the same rules as
 * reading it through HDF5: see `readWeights` in `h5-walk.ts`), and an {@link H5Unsupported} for HDF5 features
 * this reader leaves to HDF5.
 */
export const readLayout = async (source: ByteSource): Promise<H5Layout> => {
  const ctx = await readSuperblock(source)
  const heaps = globalHeaps(ctx)
  const groups: Array<VarsGroup<H5Data>> = []
  const visit = reachedOnce()
  const declared = declaredData(source.size)

  const readDataset = async (messages: ReadonlyArray<Message>, at: string): Promise<H5Dataset> => {
    const attributes = attributesOf(ctx, messages, at)
    const dtypeAttr = attributes.find((a) => a.name === 'dtype')
    if (dtypeAttr !== undefined) {
      const value = await stringValue(ctx, heaps, dtypeAttr, at)
      refuse(
        at,
        `the dataset has dtype ${value === null ? '(a value that is not a string)' : jsonText(value)} (only float32, float64, int32, int64 are read)`,
      )
    }
    if (messages.some((m) => m.type === MSG.externalFiles)) unsupported(at, `external storage; ${ONLY_INSIDE}`)
    const layout = messagesOf(messages, MSG.layout, at)[0]!
    const { address, size } = contiguousData(ctx, layout, at)
    const type = messagesOf(messages, MSG.datatype, at)[0]
    const space = messagesOf(messages, MSG.dataspace, at)[0]
    if (type === undefined || space === undefined) return refuse(at, 'the dataset has no datatype or no dataspace')
    const dtype = dtypeOfDatatype(type)
    if (dtype === 'other') return unsupported(at, `a number type HDF5 would convert (${describeDatatype(type)})`)
    if (dtype === null)
      return refuse(at, `the dataset has an HDF5 type ckpt does not read (${describeDatatype(type)}); only float32, float64, int32, int64`)
    const shape = dimensionsOf(ctx, space, at) ?? unsupported(at, 'a null dataspace')
    const elements = shape.reduce((a, b) => a * b, 1)
    const bytes = elements * DTYPE_BYTES[dtype]
    declared(at, bytes)
    if (bytes > 0 && address === null) return unsupported(at, 'data never written (its fill value)')
    if (bytes > 0 && size < bytes) refuse(at, `the dataset's data is ${size} bytes in the file; its shape and type need ${bytes}`)
    const offset = address ?? 0
    if (offset + bytes > source.size)
      refuse(at, `the dataset's data (bytes ${offset} to ${offset + bytes}) runs past the end of the file (${source.size} bytes)`)
    return { dtype, shape, data: { offset, byteLength: bytes } }
  }

  const readVars = async (messages: ReadonlyArray<Message>, kind: Kind & { _tag: 'Group' }, path: string): Promise<VarsGroup<H5Data>> => {
    const nameAttr = attributesOf(ctx, messages, path).find((a) => a.name === 'name')
    const name = nameAttr === undefined ? null : await stringValue(ctx, heaps, nameAttr, path)
    const links = await readLinks(ctx, kind, path)
    const byName = new Map(links.map((l) => [l.name, l.address]))
    const vars: H5Dataset[] = []
    for (let i = 0; i < links.length; i++) {
      const at = joinPath(path, String(i))
      const address = byName.get(String(i))
      if (address === undefined)
        refuse(path, `the group has datasets ${JSON.stringify(links.map((l) => l.name))}, expected 0…${links.length - 1}`)
      const header = await readObjectHeader(ctx, address!, at)
      if (kindOf(ctx, header, at)._tag !== 'Dataset') refuse(at, 'not a dataset')
      visit(address!, at, 'dataset')
      vars.push(await readDataset(header, at))
    }
    return { path: path.slice(1, -'/vars'.length), name, vars }
  }

  const walk = async (group: Kind & { _tag: 'Group' }, path: string, depth: number): Promise<void> => {
    for (const link of await readLinks(ctx, group, path)) {
      const at = joinPath(path, link.name)
      const messages = await readObjectHeader(ctx, link.address, at)
      const kind = kindOf(ctx, messages, at)
      if (kind._tag !== 'Group') continue
      if (depth + 1 > MAX_H5_DEPTH) tooDeep(at)
      visit(link.address, at, 'group')
      if (link.name === 'vars') groups.push(await readVars(messages, kind, at))
      else await walk(kind, at, depth + 1)
    }
  }

  const root = kindOf(ctx, await readObjectHeader(ctx, ctx.root, '/'), '/')
  if (root._tag !== 'Group') return refuse('/', 'the root object is not a group')
  visit(ctx.root, '/', 'group')
  await walk(root, '/', 0)
  if (groups.length === 0) noVarsGroup()
  return { groups }
}

/** The string attribute `name` of the root group, or null when there is none or it is not a string. */
export const readRootAttribute = async (source: ByteSource, name: string): Promise<string | null> => {
  const ctx = await readSuperblock(source)
  const messages = await readObjectHeader(ctx, ctx.root, '/')
  const attribute = attributesOf(ctx, messages, '/').find((a) => a.name === name)
  return attribute === undefined ? null : stringValue(ctx, globalHeaps(ctx), attribute, '/')
}
