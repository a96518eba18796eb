import type { KerasDtype } from './weights-file.js'

/**
 * The pieces of the HDF5 file format (HDF5 File Format Specification 4.0) that Keras 3 weights files are made
 * of, as h5py writes them by default (library version "earliest", what Keras's `save_weights` gets): superblock
 * version 0, version 1 object headers, groups as symbol tables (a version 1 B-tree over symbol table nodes, the
 * names in a local heap), contiguous datasets, and variable-length UTF-8 string attributes (in a global heap).
 * Shared by ckpt's writer (`h5-write.ts`) and reader (`h5-read.ts`).
 */

export const SIGNATURE: Uint8Array = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)

/** The sizes ckpt writes: 8-byte addresses and lengths (h5py's). */
export const OFFSET_SIZE = 8
export const LENGTH_SIZE = 8
/** h5py's defaults: a symbol table node holds up to 2 × 4 entries, a B-tree node up to 2 × 16 children. */
export const LEAF_K = 4
export const INTERNAL_K = 16

/** Superblock version 0 with 8-byte addresses: 56 bytes, then the root group's symbol table entry. */
export const SUPERBLOCK_SIZE = 56 + 40
/** A symbol table entry with 8-byte addresses: name offset, object header, cache type, reserved, scratch pad. */
export const ENTRY_SIZE = 40
/** A group B-tree node: signature, type, level, entries, two siblings; 2K children and 2K + 1 keys. */
export const BTREE_NODE_SIZE = 24 + 2 * INTERNAL_K * OFFSET_SIZE + (2 * INTERNAL_K + 1) * LENGTH_SIZE
/** A symbol table node: signature, version, reserved, count; room for 2K entries. */
export const SNOD_SIZE = 8 + 2 * LEAF_K * ENTRY_SIZE
/** A local heap's header: signature, version, reserved, data size, free list head, data address. */
export const LOCAL_HEAP_HEADER = 32
/** HDF5's "no free block" in a local heap (`H5HL_FREE_NULL`): heap offsets are multiples of 8, so 1 is none. */
export const FREE_LIST_NONE = 1
/** A global heap collection's header, and each object's header (index, reference count, reserved, size). */
export const GLOBAL_HEAP_HEADER = 16
export const GLOBAL_OBJECT_HEADER = 16
/** HDF5 makes no collection smaller (`H5HG_MINSIZE`). */
export const MIN_COLLECTION = 4096
/** A version 1 object header's prefix, padded to 8: version, reserved, message count, reference count, size. */
export const OBJECT_HEADER_PREFIX = 16
export const MESSAGE_HEADER = 8

/** Object header message types. */
export const MSG = {
  nil: 0x00,
  dataspace: 0x01,
  linkInfo: 0x02,
  datatype: 0x03,
  fillValueOld: 0x04,
  fillValue: 0x05,
  link: 0x06,
  externalFiles: 0x07,
  layout: 0x08,
  groupInfo: 0x0a,
  filters: 0x0b,
  attribute: 0x0c,
  continuation: 0x10,
  symbolTable: 0x11,
} as const

/** Datatype classes. */
export const CLASS = { fixedPoint: 0, floatingPoint: 1, string: 3, variableLength: 9 } as const

/** `n` rounded up to a multiple of 8, as HDF5 pads names, heap objects and version 1 messages. */
export const pad8 = (n: number): number => Math.ceil(n / 8) * 8

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<KerasDtype, number>> = { float32: 4, float64: 8, int32: 4, int64: 8 }

/**
 * The datatype message of a dtype, little-endian, as h5py writes numpy's `<f4`, `<f8`, `<i4`, `<i8`: floats with
 * IEEE 754 fields (sign, exponent and mantissa positions, exponent bias), integers signed, all bits used.
 */
export const datatypeMessage = (dtype: KerasDtype): Uint8Array => {
  const size = DTYPE_BYTES[dtype]
  const isFloat = dtype === 'float32' || dtype === 'float64'
  const out = new Uint8Array(isFloat ? 24 : 16)
  const view = new DataView(out.buffer)
  view.setUint8(0, 0x10 | (isFloat ? CLASS.floatingPoint : CLASS.fixedPoint)) // version 1, class
  if (isFloat) {
    view.setUint8(1, 0x20) // little-endian, no padding, mantissa normalised with an implied leading 1
    view.setUint8(2, size * 8 - 1) // the sign bit
    view.setUint32(4, size, true)
    view.setUint16(8, 0, true) // bit offset
    view.setUint16(10, size * 8, true) // precision
    view.setUint8(12, size === 4 ? 23 : 52) // exponent location
    view.setUint8(13, size === 4 ? 8 : 11) // exponent size
    view.setUint8(14, 0) // mantissa location
    view.setUint8(15, size === 4 ? 23 : 52) // mantissa size
    view.setUint32(16, size === 4 ? 127 : 1023, true) // exponent bias
  } else {
    view.setUint8(1, 0x08) // little-endian, signed
    view.setUint32(4, size, true)
    view.setUint16(8, 0, true)
    view.setUint16(10, size * 8, true)
  }
  return out
}

/**
 * The datatype of a variable-length UTF-8 string (h5py's `str` attributes): class 9 of type string, its base
 * an unsigned byte. Stored values are the string's byte length and a global heap ID (collection address, index).
 */
export const VLEN_STRING_TYPE: Uint8Array = Uint8Array.of(
  ...[0x10 | CLASS.variableLength, 0x01, 0x01, 0x00], // version 1; type string, null-terminated padding; UTF-8
  ...[4 + OFFSET_SIZE + 4, 0, 0, 0], // size of a stored value
  ...[0x10 | CLASS.fixedPoint, 0x00, 0x00, 0x00, 1, 0, 0, 0, 0, 0, 8, 0], // base: 1-byte unsigned integer
)

/**
 * What a dataset's datatype message is to ckpt: a dtype when it is byte for byte what h5py writes for it
 * (little-endian IEEE floats of 4 or 8 bytes, signed integers of 4 or 8); `other` for another encoding of a
 * 4- or 8-byte number (big-endian, say), which HDF5 itself would convert; null for any other type.
 */
export const dtypeOfDatatype = (type: Uint8Array): KerasDtype | 'other' | null => {
  if (type.length < 8) return null
  const cls = type[0]! & 0x0f
  const size = new DataView(type.buffer, type.byteOffset, type.byteLength).getUint32(4, true)
  if ((cls !== CLASS.fixedPoint && cls !== CLASS.floatingPoint) || (size !== 4 && size !== 8)) return null
  if (cls === CLASS.fixedPoint && (type[1]! & 0x08) === 0) return null // unsigned
  const dtype: KerasDtype = cls === CLASS.floatingPoint ? (size === 4 ? 'float32' : 'float64') : size === 4 ? 'int32' : 'int64'
  const standard = datatypeMessage(dtype)
  const properties = cls === CLASS.floatingPoint ? 20 : 12
  if (type.length < properties) return 'other'
  for (let i = 0; i < properties; i++) if (type[i] !== standard[i]) return 'other'
  return dtype
}

/** A short description of a datatype message, for messages: its class and size. */
export const describeDatatype = (type: Uint8Array): string => {
  const names = ['integer', 'float', 'time', 'string', 'bitfield', 'opaque', 'compound', 'reference', 'enum', 'variable-length', 'array']
  if (type.length < 8) return 'a truncated datatype'
  const cls = type[0]! & 0x0f
  const size = new DataView(type.buffer, type.byteOffset, type.byteLength).getUint32(4, true)
  const order = (cls === CLASS.fixedPoint || cls === CLASS.floatingPoint) && (type[1]! & 1) === 1 ? ' big-endian' : ''
  const sign = cls === CLASS.fixedPoint ? ((type[1]! & 0x08) === 0 ? ' unsigned' : ' signed') : ''
  return `${size}-byte${order}${sign} ${names[cls] ?? `class ${cls}`}`
}
