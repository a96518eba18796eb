import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'
import {
  BTREE_NODE_SIZE,
  datatypeMessage,
  DTYPE_BYTES,
  ENTRY_SIZE,
  FREE_LIST_NONE,
  GLOBAL_HEAP_HEADER,
  GLOBAL_OBJECT_HEADER,
  INTERNAL_K,
  LEAF_K,
  LOCAL_HEAP_HEADER,
  MESSAGE_HEADER,
  MIN_COLLECTION,
  MSG,
  OBJECT_HEADER_PREFIX,
  pad8,
  SIGNATURE,
  SNOD_SIZE,
  SUPERBLOCK_SIZE,
  VLEN_STRING_TYPE,
} from './h5-format.js'
import { sizeOf, type KerasArray, type WeightsFile } from './weights-file.js'

/** Byte order of two names (HDF5 orders a group's links by their bytes). */
const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

/**
 * ckpt's HDF5 writer for Keras weights files: the layout h5py gives Keras's `save_weights` (see `h5-format.ts`),
 * with every piece of metadata first and the datasets' data after it, in the order of the file's groups. The
 * data is not copied: the file is a list of chunks, the metadata in one buffer and each dataset as a view of its
 * array, for a storage to stream.
 */

/** An HDF5 file as chunks to write in order, `size` bytes in all. */
export interface H5Bytes {
  readonly size: number
  readonly chunks: ReadonlyArray<Uint8Array>
}

interface Dataset {
  readonly kind: 'dataset'
  readonly array: KerasArray
  header: number
  data: number | null
}

interface Group {
  readonly kind: 'group'
  readonly children: Map<string, Group | Dataset>
  readonly attributes: Array<{ readonly name: Uint8Array; readonly value: HeapString }>
  header: number
  btree: number
  heap: number
}

/** A string stored in a global heap: its bytes, and where they are (collection address, object index). */
interface HeapString {
  readonly bytes: Uint8Array
  collection: number
  index: number
}

const encoder = new TextEncoder()
const UNDEFINED = -1

const invalid = (message: string): KerasFormatError => ({
  _tag: 'InvalidH5',
  path: '(new file)',
  object: '/',
  message: `ckpt/keras: cannot write this weights file: ${message}`,
})

const newGroup = (): Group => ({ kind: 'group', children: new Map(), attributes: [], header: 0, btree: 0, heap: 0 })

/** The tree of groups and datasets `file` describes; Left on a repeated `vars` group or a name HDF5 cannot hold. */
const treeOf = (
  file: WeightsFile,
  attributes: Readonly<Record<string, string>>,
  strings: HeapString[],
): E.Either<KerasFormatError, Group> => {
  const heapString = (value: string): HeapString => {
    const s = { bytes: encoder.encode(value), collection: 0, index: 0 }
    strings.push(s)
    return s
  }
  const root = newGroup()
  for (const [name, value] of Object.entries(attributes)) root.attributes.push({ name: encoder.encode(name), value: heapString(value) })
  for (const g of file.groups) {
    let parent = root
    for (const part of [...g.path.split('/').filter((p) => p.length > 0), 'vars']) {
      if (part === '.' || part.includes('\0')) return E.left(invalid(`the group path '${g.path}' has a name HDF5 cannot hold ('${part}')`))
      const existing = parent.children.get(part)
      if (existing?.kind === 'dataset') return E.left(invalid(`'${g.path}' runs through a dataset`))
      if (part === 'vars' && existing !== undefined) return E.left(invalid(`the group '${g.path}/vars' is given twice`))
      const next = existing ?? newGroup()
      parent.children.set(part, next)
      parent = next
    }
    if (g.name !== null) parent.attributes.push({ name: encoder.encode('name'), value: heapString(g.name) })
    for (const [i, array] of g.vars.entries()) {
      if (array.data.BYTES_PER_ELEMENT !== DTYPE_BYTES[array.dtype])
        return E.left(invalid(`'${g.path}/vars/${i}' is ${array.dtype} held in a ${array.data.constructor.name}`))
      if (array.data.length !== sizeOf(array.shape))
        return E.left(invalid(`'${g.path}/vars/${i}' has ${array.data.length} values for shape [${array.shape.join(', ')}]`))
      parent.children.set(String(i), { kind: 'dataset', array, header: 0, data: null })
    }
  }
  return E.right(root)
}

/** Names in the order HDF5 keeps them in a symbol table: by their UTF-8 bytes (`strcmp`). */
const sortedNames = (g: Group): ReadonlyArray<{ readonly name: string; readonly bytes: Uint8Array }> =>
  [...g.children.keys()].map((name) => ({ name, bytes: encoder.encode(name) })).sort((a, b) => compareBytes(a.bytes, b.bytes))

/** How many B-tree nodes each level of a group's B-tree has, leaves (pointing to symbol table nodes) first. */
const btreeLevels = (entries: number): ReadonlyArray<number> => {
  const levels = [Math.max(1, Math.ceil(Math.ceil(entries / (2 * LEAF_K)) / (2 * INTERNAL_K)))]
  while (levels[levels.length - 1]! > 1) levels.push(Math.ceil(levels[levels.length - 1]! / (2 * INTERNAL_K)))
  return levels
}

const attributeMessageSize = (name: Uint8Array): number => 8 + pad8(name.length + 1) + pad8(VLEN_STRING_TYPE.length) + 8 + 16

const dataspaceSize = (shape: ReadonlyArray<number>): number => 8 + 16 * shape.length

const groupHeaderSize = (g: Group): number =>
  OBJECT_HEADER_PREFIX + MESSAGE_HEADER + 16 + g.attributes.reduce((n, a) => n + MESSAGE_HEADER + attributeMessageSize(a.name), 0)

const datasetHeaderSize = (d: Dataset): number =>
  OBJECT_HEADER_PREFIX + 4 * MESSAGE_HEADER + dataspaceSize(d.array.shape) + datatypeMessage(d.array.dtype).length + 8 + 24

const heapSize = (names: ReadonlyArray<{ readonly bytes: Uint8Array }>): number =>
  8 + names.reduce((n, x) => n + pad8(x.bytes.length + 1), 0)

/** Little-endian writes into the metadata buffer. */
class Out {
  readonly view: DataView
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  u8(at: number, v: number): void {
    this.view.setUint8(at, v)
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v, true)
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v, true)
  }
  /** An 8-byte address or length; {@link UNDEFINED} is all ones, HDF5's undefined address. */
  u64(at: number, v: number): void {
    this.view.setBigUint64(at, v === UNDEFINED ? 0xffffffffffffffffn : BigInt(v), true)
  }
  set(at: number, b: Uint8Array): void {
    this.bytes.set(b, at)
  }
  ascii(at: number, s: string): void {
    for (let i = 0; i < s.length; i++) this.bytes[at + i] = s.charCodeAt(i)
  }
}

/**
 * Writes a version 1 object header at `at` holding `messages` (type, flags, data), each padded to 8 bytes.
 */
const objectHeader = (out: Out, at: number, messages: ReadonlyArray<readonly [number, number, Uint8Array]>): void => {
  const size = messages.reduce((n, [, , data]) => n + MESSAGE_HEADER + pad8(data.length), 0)
  out.u8(at, 1)
  out.u16(at + 2, messages.length)
  out.u32(at + 4, 1) // reference count: each object is linked once
  out.u32(at + 8, size)
  let p = at + OBJECT_HEADER_PREFIX
  for (const [type, flags, data] of messages) {
    out.u16(p, type)
    out.u16(p + 2, pad8(data.length))
    out.u8(p + 4, flags)
    out.set(p + MESSAGE_HEADER, data)
    p += MESSAGE_HEADER + pad8(data.length)
  }
}

const bytesOf = (build: (out: Out) => void, size: number): Uint8Array => {
  const b = new Uint8Array(size)
  build(new Out(b))
  return b
}

/** A version 1 attribute message: a scalar variable-length UTF-8 string, its value in a global heap. */
const attributeMessage = (name: Uint8Array, value: HeapString): Uint8Array =>
  bytesOf((o) => {
    o.u8(0, 1)
    o.u16(2, name.length + 1)
    o.u16(4, VLEN_STRING_TYPE.length)
    o.u16(6, 8)
    let p = 8
    o.set(p, name)
    p += pad8(name.length + 1)
    o.set(p, VLEN_STRING_TYPE)
    p += pad8(VLEN_STRING_TYPE.length)
    o.u8(p, 1) // dataspace version 1, rank 0: a scalar
    p += 8
    o.u32(p, value.bytes.length)
    o.u64(p + 4, value.collection)
    o.u32(p + 12, value.index)
  }, attributeMessageSize(name))

/** A version 1 dataspace with its maximum dimensions (equal to the dimensions), as h5py writes it; rank 0 is a scalar. */
const dataspaceMessage = (shape: ReadonlyArray<number>): Uint8Array =>
  bytesOf((o) => {
    o.u8(0, 1)
    o.u8(1, shape.length)
    o.u8(2, shape.length > 0 ? 1 : 0)
    shape.forEach((d, i) => {
      o.u64(8 + 8 * i, d)
      o.u64(8 + 8 * (shape.length + i), d)
    })
  }, dataspaceSize(shape))

/** Fill value message version 2 as h5py writes it: allocated late, filled if set, a fill value defined of size 0. */
const FILL_VALUE = Uint8Array.of(2, 2, 2, 1, 0, 0, 0, 0)

const layoutMessage = (address: number, size: number): Uint8Array =>
  bytesOf((o) => {
    o.u8(0, 3)
    o.u8(1, 1) // contiguous
    o.u64(2, address)
    o.u64(10, size)
  }, 18)

const symbolTableMessage = (btree: number, heap: number): Uint8Array =>
  bytesOf((o) => {
    o.u64(0, btree)
    o.u64(8, heap)
  }, 16)

/** Bump allocation of file addresses, 8-byte aligned. */
class Allocator {
  end = SUPERBLOCK_SIZE
  take(size: number): number {
    const at = this.end
    this.end = pad8(this.end + size)
    return at
  }
}

/** The global heap collections of `strings` (at most 65,535 objects each, at least HDF5's 4 KiB). */
const collections = (strings: ReadonlyArray<HeapString>): ReadonlyArray<ReadonlyArray<HeapString>> => {
  const out: HeapString[][] = []
  for (let i = 0; i < strings.length; i += 0xffff) out.push(strings.slice(i, i + 0xffff))
  return out
}

const collectionSize = (objects: ReadonlyArray<HeapString>): number =>
  Math.max(MIN_COLLECTION, GLOBAL_HEAP_HEADER + objects.reduce((n, s) => n + GLOBAL_OBJECT_HEADER + pad8(s.bytes.length), 0))

const writeCollection = (out: Out, at: number, objects: ReadonlyArray<HeapString>): void => {
  const size = collectionSize(objects)
  out.ascii(at, 'GCOL')
  out.u8(at + 4, 1)
  out.u64(at + 8, size)
  let p = at + GLOBAL_HEAP_HEADER
  for (const s of objects) {
    out.u16(p, s.index)
    out.u64(p + 8, s.bytes.length) // reference count 0, as HDF5 writes it for variable-length data
    out.set(p + GLOBAL_OBJECT_HEADER, s.bytes)
    p += GLOBAL_OBJECT_HEADER + pad8(s.bytes.length)
  }
  // The rest is free space: object 0, whose size counts its own header (when there is room for one).
  if (at + size - p >= GLOBAL_OBJECT_HEADER) out.u64(p + 8, at + size - p)
}

/**
 * The symbol table of group `g` at its allocated addresses: the B-tree nodes (level by level, leaves first),
 * the symbol table nodes of 2K entries (names sorted), the local heap; `names` sorted as the table keeps them.
 */
const writeSymbolTable = (
  out: Out,
  g: Group,
  names: ReadonlyArray<{ readonly name: string; readonly bytes: Uint8Array }>,
  nodes: ReadonlyArray<ReadonlyArray<number>>,
  snods: ReadonlyArray<number>,
): void => {
  // The local heap: the empty string at 0 (the B-tree's first key), then each name, NUL-terminated and padded.
  const offsets: number[] = []
  let p = 8
  for (const n of names) {
    offsets.push(p)
    p += pad8(n.bytes.length + 1)
  }
  out.ascii(g.heap, 'HEAP')
  out.u64(g.heap + 8, p)
  out.u64(g.heap + 16, FREE_LIST_NONE)
  out.u64(g.heap + 24, g.heap + LOCAL_HEAP_HEADER)
  names.forEach((n, i) => out.set(g.heap + LOCAL_HEAP_HEADER + offsets[i]!, n.bytes))

  const per = 2 * LEAF_K
  snods.forEach((at, s) => {
    const slice = names.slice(s * per, (s + 1) * per)
    out.ascii(at, 'SNOD')
    out.u8(at + 4, 1)
    out.u16(at + 6, slice.length)
    slice.forEach((n, k) => {
      const e = at + 8 + k * ENTRY_SIZE
      const child = g.children.get(n.name)!
      out.u64(e, offsets[s * per + k]!)
      out.u64(e + 8, child.header)
      if (child.kind === 'group') {
        out.u32(e + 16, 1) // cached: the group's B-tree and heap, as HDF5 writes group entries
        out.u64(e + 24, child.btree)
        out.u64(e + 32, child.heap)
      }
    })
  })

  // Each B-tree key is the heap offset of the last name under the child to its left (the empty string first).
  const lastName = (level: number, index: number): number => {
    if (level < 0) return offsets[Math.min(names.length, (index + 1) * per) - 1]!
    const below = level === 0 ? snods.length : nodes[level - 1]!.length
    return lastName(level - 1, Math.min(below, (index + 1) * 2 * INTERNAL_K) - 1)
  }
  nodes.forEach((level, l) => {
    const below = l === 0 ? snods : nodes[l - 1]!
    level.forEach((at, i) => {
      const children = below.slice(i * 2 * INTERNAL_K, (i + 1) * 2 * INTERNAL_K)
      out.ascii(at, 'TREE')
      out.u8(at + 4, 0) // group nodes
      out.u8(at + 5, l)
      out.u16(at + 6, children.length)
      out.u64(at + 8, i > 0 ? level[i - 1]! : UNDEFINED)
      out.u64(at + 16, i + 1 < level.length ? level[i + 1]! : UNDEFINED)
      let k = at + 24
      out.u64(k, i === 0 ? 0 : lastName(l - 1, i * 2 * INTERNAL_K - 1))
      children.forEach((child, c) => {
        out.u64(k + 8, child)
        out.u64(k + 16, lastName(l - 1, i * 2 * INTERNAL_K + c))
        k += 16
      })
    })
  })
}

/**
 * The HDF5 bytes of `file`, as chunks: for each group, `<path>/vars` with a `name` attribute (when not null) and
 * datasets `0`…`n-1`, contiguous, uncompressed, little-endian (what Keras 3's `save_weights` writes). `attributes`
 * become string attributes of the root group, which Keras does not read (ckpt keeps its entry data there). The
 * datasets' chunks are views of the arrays in `file`, which must stay unchanged until the chunks are written.
 * Left when a group is given twice, a name cannot be stored or an array does not hold its shape's values.
 */
export const weightsH5 = (file: WeightsFile, attributes: Readonly<Record<string, string>> = {}): E.Either<KerasFormatError, H5Bytes> => {
  const strings: HeapString[] = []
  const tree = treeOf(file, attributes, strings)
  if (E.isLeft(tree)) return tree
  const root = tree.right

  // Addresses: each group's header, B-tree, symbol table nodes and heap, then its children, depth first.
  const alloc = new Allocator()
  const tables: Array<{ g: Group; names: ReturnType<typeof sortedNames>; nodes: number[][]; snods: number[] }> = []
  const datasets: Dataset[] = []
  const place = (g: Group): void => {
    const names = sortedNames(g)
    g.header = alloc.take(groupHeaderSize(g))
    const levels = btreeLevels(names.length)
    const nodes = [...levels]
      .reverse()
      .map((count) => Array.from({ length: count }, () => alloc.take(BTREE_NODE_SIZE)))
      .reverse()
    g.btree = nodes[nodes.length - 1]![0]!
    const snods = Array.from({ length: Math.ceil(names.length / (2 * LEAF_K)) }, () => alloc.take(SNOD_SIZE))
    g.heap = alloc.take(LOCAL_HEAP_HEADER + heapSize(names))
    tables.push({ g, names, nodes, snods })
    for (const { name } of names) {
      const child = g.children.get(name)!
      if (child.kind === 'group') place(child)
      else {
        child.header = alloc.take(datasetHeaderSize(child))
        datasets.push(child)
      }
    }
  }
  place(root)
  const heaps = collections(strings).map((objects) => {
    const at = alloc.take(collectionSize(objects))
    objects.forEach((s, i) => {
      s.collection = at
      s.index = i + 1
    })
    return { at, objects }
  })
  const metadataSize = alloc.end

  // The data, in the file's order of groups and variables (how a reader walks it), each 8-byte aligned.
  const chunks: Uint8Array[] = []
  let end = metadataSize
  const padding = new Uint8Array(8)
  const inOrder = (g: Group, path: ReadonlyArray<string>): Group => path.reduce((at, part) => at.children.get(part) as Group, g)
  for (const g of file.groups) {
    const vars = inOrder(root, [...g.path.split('/').filter((p) => p.length > 0), 'vars'])
    for (let i = 0; i < g.vars.length; i++) {
      const d = vars.children.get(String(i)) as Dataset
      const bytes = d.array.data.length * DTYPE_BYTES[d.array.dtype]
      if (bytes === 0) continue // never allocated: HDF5 leaves an empty dataset's address undefined
      d.data = end
      chunks.push(new Uint8Array(d.array.data.buffer, d.array.data.byteOffset, bytes))
      end += bytes
      if (end % 8 !== 0) {
        chunks.push(padding.subarray(0, 8 - (end % 8)))
        end = pad8(end)
      }
    }
  }

  const meta = new Uint8Array(metadataSize)
  const out = new Out(meta)
  // Superblock version 0: 8-byte addresses and lengths, K values, base 0, no free-space info or driver block.
  out.set(0, SIGNATURE)
  out.u8(13, 8)
  out.u8(14, 8)
  out.u16(16, LEAF_K)
  out.u16(18, INTERNAL_K)
  out.u64(24, 0)
  out.u64(32, UNDEFINED)
  out.u64(40, end)
  out.u64(48, UNDEFINED)
  // The root group's symbol table entry (name offset 0), its B-tree and heap cached in the scratch pad.
  out.u64(64, root.header)
  out.u32(72, 1)
  out.u64(80, root.btree)
  out.u64(88, root.heap)

  for (const { g, names, nodes, snods } of tables) {
    objectHeader(out, g.header, [
      [MSG.symbolTable, 0, symbolTableMessage(g.btree, g.heap)],
      ...g.attributes.map((a) => [MSG.attribute, 0, attributeMessage(a.name, a.value)] as const),
    ])
    writeSymbolTable(out, g, names, nodes, snods)
  }
  for (const d of datasets) {
    const bytes = d.array.data.length * DTYPE_BYTES[d.array.dtype]
    objectHeader(out, d.header, [
      [MSG.dataspace, 0, dataspaceMessage(d.array.shape)],
      [MSG.datatype, 1, datatypeMessage(d.array.dtype)],
      [MSG.fillValue, 1, FILL_VALUE],
      [MSG.layout, 0, layoutMessage(d.data ?? UNDEFINED, bytes)],
    ])
  }
  for (const h of heaps) writeCollection(out, h.at, h.objects)
  return E.right({ size: end, chunks: [meta, ...chunks] })
}
