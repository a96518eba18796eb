import type { SafetensorsErrorTag } from '../../src/tensors/index.js'

/** A file built from a header text (or raw header bytes) and data bytes, with an optional declared length. */
export interface Case {
  readonly name: string
  readonly header: string | Uint8Array
  readonly data?: number
  /** Override the 8-byte header length. */
  readonly declared?: bigint
  /** Raw file bytes, overriding everything else. */
  readonly raw?: Uint8Array
  /** `ok`, or the error tag ckpt must report. */
  readonly expect: 'ok' | SafetensorsErrorTag
  /** Fragments the error message must contain. */
  readonly mentions?: ReadonlyArray<string>
  /** Set where the reference reader (Python safetensors) accepts what ckpt deliberately rejects. */
  readonly stricterThanReference?: true
}

export const buildFile = (c: Case): Uint8Array => {
  if (c.raw) return c.raw
  const h = typeof c.header === 'string' ? new TextEncoder().encode(c.header) : c.header
  const out = new Uint8Array(8 + h.length + (c.data ?? 0))
  new DataView(out.buffer).setBigUint64(0, c.declared ?? BigInt(h.length), true)
  out.set(h, 8)
  for (let k = 8 + h.length; k < out.length; k++) out[k] = k & 0xff
  return out
}

const T = (dtype: string, shape: string, begin: number, end: number): string =>
  `{"dtype":"${dtype}","shape":${shape},"data_offsets":[${begin},${end}]}`
const U8x2 = T('U8', '[2]', 0, 2)

/** Hand-written files, one or more per validation rule. */
export const CASES: ReadonlyArray<Case> = [
  // The frame
  ...[0, 1, 7].map((n): Case => ({
    name: `a ${n}-byte file`,
    header: '',
    raw: new Uint8Array(n),
    expect: 'HeaderTooSmall',
    mentions: [`${n} bytes`, 'at least 8'],
  })),
  {
    name: 'a header length over 100,000,000',
    header: '{}',
    declared: 100_000_001n,
    expect: 'HeaderTooLarge',
    mentions: ['100000001', 'at most 100000000'],
  },
  {
    name: 'a header length of 2^64 - 1',
    header: '{}',
    declared: 2n ** 64n - 1n,
    expect: 'HeaderTooLarge',
    mentions: ['18446744073709551615'],
  },
  {
    name: 'a header length of exactly 100,000,000 past the end',
    header: '{}',
    declared: 100_000_000n,
    expect: 'InvalidHeaderLength',
    mentions: ['100000000', 'past the end'],
  },
  {
    name: 'a header running one byte past the end',
    header: '{}',
    declared: 3n,
    expect: 'InvalidHeaderLength',
    mentions: ['3', '10 bytes'],
  },
  { name: 'a header that is not UTF-8', header: new Uint8Array([0x7b, 0xff, 0x7d]), expect: 'InvalidHeaderUtf8', mentions: ['UTF-8'] },
  { name: 'a truncated UTF-8 sequence', header: new Uint8Array([0x7b, 0x7d, 0xc3]), expect: 'InvalidHeaderUtf8' },
  { name: 'a byte-order mark before the JSON', header: '\ufeff{}', expect: 'InvalidHeaderJson' },
  // JSON syntax
  { name: 'an empty header', header: '', expect: 'InvalidHeaderJson', mentions: ['end of input'] },
  { name: 'trailing characters', header: '{}x', expect: 'InvalidHeaderJson', mentions: ['trailing'] },
  { name: 'NUL padding instead of spaces', header: '{}\0\0', expect: 'InvalidHeaderJson', mentions: ['trailing'] },
  { name: 'a comment', header: '{}//', expect: 'InvalidHeaderJson' },
  { name: 'a vertical tab as whitespace', header: '\u000b{}', expect: 'InvalidHeaderJson' },
  { name: 'a trailing comma', header: `{"a":${U8x2},}`, data: 2, expect: 'InvalidHeaderJson' },
  { name: 'single quotes', header: "{'a':1}", expect: 'InvalidHeaderJson' },
  { name: 'a leading zero', header: `{"a":${T('U8', '[02]', 0, 2)}}`, data: 2, expect: 'InvalidHeaderJson' },
  { name: 'a lone surrogate escape', header: `{"\\ud800":${U8x2}}`, data: 2, expect: 'InvalidHeaderJson', mentions: ['surrogate'] },
  {
    name: 'a raw control character in a string',
    header: `{"a\nb":${U8x2}}`,
    data: 2,
    expect: 'InvalidHeaderJson',
    mentions: ['control character'],
  },
  {
    name: 'nesting 200 deep',
    header: `{"__metadata__":{"x":"y"},"t":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"junk":${'['.repeat(200)}${']'.repeat(200)}}}`,
    data: 2,
    expect: 'InvalidHeaderJson',
    mentions: ['nesting'],
  },
  // Whitespace the reference accepts
  { name: 'spaces, tabs and newlines around the JSON', header: ` \t\r\n{"a":${U8x2}} \n\t `, data: 2, expect: 'ok' },
  { name: 'an empty object and no data', header: '{}', expect: 'ok' },
  // Schema
  { name: 'a header that is an array', header: '[]', expect: 'InvalidHeaderSchema', mentions: ['(header)', 'a JSON object'] },
  { name: 'a tensor entry that is null', header: '{"a":null}', expect: 'InvalidHeaderSchema', mentions: ['"a"', 'null'] },
  {
    name: 'a missing dtype',
    header: '{"a":{"shape":[2],"data_offsets":[0,2]}}',
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".dtype', 'missing'],
  },
  {
    name: 'a missing shape',
    header: '{"a":{"dtype":"U8","data_offsets":[0,2]}}',
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".shape', 'missing'],
  },
  {
    name: 'missing data_offsets',
    header: '{"a":{"dtype":"U8","shape":[2]}}',
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".data_offsets', 'missing'],
  },
  {
    name: 'a dtype given twice',
    header: '{"a":{"dtype":"U8","dtype":"I8","shape":[2],"data_offsets":[0,2]}}',
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".dtype', 'given twice'],
  },
  {
    name: 'a numeric dtype',
    header: `{"a":${T('U8', '[2]', 0, 2).replace('"U8"', '8')}}`,
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".dtype', '8'],
  },
  {
    name: 'three data_offsets',
    header: '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2,2]}}',
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".data_offsets', 'an array of 3'],
  },
  {
    name: 'a string shape entry',
    header: `{"a":${T('U8', '["2"]', 0, 2)}}`,
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".shape[0]', '"2"'],
  },
  {
    name: 'a fractional shape entry',
    header: `{"a":${T('U8', '[1,2.0]', 0, 2)}}`,
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".shape[1]', '2.0', 'integer'],
  },
  {
    name: 'an exponent shape entry',
    header: `{"a":${T('U8', '[2e0]', 0, 2)}}`,
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".shape[0]', '2e0'],
  },
  {
    name: 'a negative shape entry',
    header: `{"a":${T('U8', '[-2]', 0, 2)}}`,
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".shape[0]', '-2'],
  },
  {
    name: 'a negative offset',
    header: `{"a":{"dtype":"U8","shape":[2],"data_offsets":[-1,2]}}`,
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".data_offsets[0]', '-1'],
  },
  {
    name: 'a shape entry of 2^64',
    header: `{"a":${T('U8', '[18446744073709551616]', 0, 2)}}`,
    data: 2,
    expect: 'InvalidHeaderSchema',
    mentions: ['"a".shape[0]', '18446744073709551616'],
  },
  {
    name: 'unknown fields in a tensor entry',
    header: `{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"note":[1,{"x":null}]}}`,
    data: 2,
    expect: 'ok',
  },
  // Dtype
  {
    name: 'an unknown dtype',
    header: `{"a":${T('C128', '[1]', 0, 16)}}`,
    data: 16,
    expect: 'UnknownDtype',
    mentions: ['"a"', 'C128', 'expected one of'],
  },
  { name: 'a lowercase dtype', header: `{"a":${T('f32', '[1]', 0, 4)}}`, data: 4, expect: 'UnknownDtype', mentions: ['f32'] },
  // Offsets
  {
    name: 'offsets not starting at 0',
    header: `{"a":${T('U8', '[2]', 1, 3)}}`,
    data: 3,
    expect: 'InvalidOffset',
    mentions: ['"a"', '[1, 3]', 'begin at 0'],
  },
  {
    name: 'a gap between tensors',
    header: `{"a":${U8x2},"b":${T('U8', '[2]', 3, 5)}}`,
    data: 5,
    expect: 'InvalidOffset',
    mentions: ['"b"', '[3, 5]', 'begin at 2'],
  },
  {
    name: 'overlapping tensors',
    header: `{"a":${T('U8', '[4]', 0, 4)},"b":${T('U8', '[2]', 2, 4)}}`,
    data: 4,
    expect: 'InvalidOffset',
    mentions: ['"b"', '[2, 4]', 'begin at 4'],
  },
  {
    name: 'two tensors on the same bytes',
    header: `{"a":${U8x2},"b":${U8x2}}`,
    data: 2,
    expect: 'InvalidOffset',
    mentions: ['begin at 2'],
  },
  {
    name: 'end before begin',
    header: `{"a":${U8x2},"b":${T('U8', '[0]', 2, 1)}}`,
    data: 2,
    expect: 'InvalidOffset',
    mentions: ['"b"', '[2, 1]'],
  },
  { name: 'offsets listed out of order but contiguous', header: `{"b":${T('U8', '[1]', 2, 3)},"a":${U8x2}}`, data: 3, expect: 'ok' },
  // Sizes
  {
    name: 'a size that does not match dtype × shape',
    header: `{"a":${T('F32', '[2]', 0, 4)}}`,
    data: 4,
    expect: 'TensorInvalidInfo',
    mentions: ['"a"', 'spans 4 bytes', 'expected 8', 'F32'],
  },
  {
    name: 'a shape whose element count overflows',
    header: `{"a":${T('U8', '[1099511627776,1099511627776,0]', 0, 0)}}`,
    expect: 'ValidationOverflow',
    mentions: ['"a"', '1099511627776'],
  },
  { name: 'a byte size past 2^53', header: `{"a":${T('F64', '[4503599627370496]', 0, 0)}}`, expect: 'ValidationOverflow' },
  {
    name: 'F4 elements not ending on a byte',
    header: `{"a":${T('F4', '[3]', 0, 1)}}`,
    data: 1,
    expect: 'MisalignedSlice',
    mentions: ['"a"', 'F4', '3 elements of 4 bits', '12 bits'],
  },
  { name: 'F6 elements on a byte boundary', header: `{"a":${T('F6_E2M3', '[4]', 0, 3)}}`, data: 3, expect: 'ok' },
  { name: 'a scalar (empty shape) is one element', header: `{"a":${T('F32', '[]', 0, 4)}}`, data: 4, expect: 'ok' },
  { name: 'zero-element tensors sharing offset 0', header: `{"a":${T('F32', '[0,5]', 0, 0)},"b":${T('I64', '[0]', 0, 0)}}`, expect: 'ok' },
  // File length
  { name: 'a byte after the last tensor', header: `{"a":${U8x2}}`, data: 3, expect: 'MetadataIncompleteBuffer', mentions: ['2', '3'] },
  { name: 'a file one byte short', header: `{"a":${U8x2}}`, data: 1, expect: 'MetadataIncompleteBuffer', mentions: ['2', '1'] },
  { name: 'no tensors but trailing data', header: '{}', data: 8, expect: 'MetadataIncompleteBuffer' },
  // Metadata
  {
    name: 'metadata with a number value',
    header: `{"__metadata__":{"step":1},"a":${U8x2}}`,
    data: 2,
    expect: 'InvalidMetadata',
    mentions: ['"step"', '1', 'a string'],
  },
  { name: 'metadata with a nested object', header: `{"__metadata__":{"x":{}}}`, expect: 'InvalidMetadata', mentions: ['"x"', 'an object'] },
  {
    name: 'metadata that is an array',
    header: `{"__metadata__":["a"]}`,
    expect: 'InvalidMetadata',
    mentions: ['__metadata__', 'an array'],
  },
  {
    name: 'metadata that is a tensor entry',
    header: `{"__metadata__":${U8x2}}`,
    data: 2,
    expect: 'InvalidMetadata',
    mentions: ['"shape"', 'an array of 1', 'a string'],
  },
  { name: 'null metadata', header: `{"__metadata__":null,"a":${U8x2}}`, data: 2, expect: 'ok' },
  {
    name: 'metadata given twice',
    header: `{"__metadata__":{},"__metadata__":{}}`,
    expect: 'DuplicateName',
    mentions: ['__metadata__', 'more than once'],
  },
  // Duplicates and prototype keys
  {
    name: 'a duplicate tensor name',
    header: `{"a":${U8x2},"a":${T('U8', '[2]', 2, 4)}}`,
    data: 4,
    expect: 'DuplicateName',
    mentions: ['"a"', 'more than once'],
  },
  {
    name: 'a duplicate tensor name with identical entries',
    header: `{"a":${U8x2},"a":${U8x2}}`,
    data: 2,
    expect: 'DuplicateName',
    stricterThanReference: true,
  },
  {
    name: 'a duplicate name spelled with an escape',
    header: `{"a":${U8x2},"\\u0061":${U8x2}}`,
    data: 2,
    expect: 'DuplicateName',
    stricterThanReference: true,
  },
  {
    name: 'a duplicate metadata key',
    header: `{"__metadata__":{"k":"1","k":"2"}}`,
    expect: 'DuplicateName',
    mentions: ['"k"', '__metadata__ key'],
    stricterThanReference: true,
  },
  ...['__proto__', 'constructor', 'prototype'].map((key): Case => ({
    name: `a tensor named ${key}`,
    header: `{"${key}":${U8x2}}`,
    data: 2,
    expect: 'ForbiddenName',
    mentions: [`"${key}"`, 'prototype keys'],
    stricterThanReference: true,
  })),
  {
    name: 'a tensor named __proto__ through escapes',
    header: `{"\\u005f_proto__":${U8x2}}`,
    data: 2,
    expect: 'ForbiddenName',
    stricterThanReference: true,
  },
  {
    name: 'a metadata key __proto__',
    header: `{"__metadata__":{"__proto__":"x"}}`,
    expect: 'ForbiddenName',
    mentions: ['__metadata__ key', '"__proto__"'],
    stricterThanReference: true,
  },
]
