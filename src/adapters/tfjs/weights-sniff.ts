import * as E from '#fp-ts/Either.js'
import { supportedEndings, type CheckpointFormat } from './checkpoint-format.js'
import type { TfjsAdapterError } from './errors.js'

/**
 * What `loadWeights` reads, chosen by the file's ending as Keras's `load_weights` chooses, and checked against the
 * file's first bytes (its magic), so that a file named for one format but holding another is named for what it is.
 * Pure.
 */

/** What the first bytes of a file look like. */
export type ContentKind = 'hdf5' | 'zip' | 'safetensors' | 'json' | 'empty' | 'unknown'

/** How many bytes {@link sniffContent} looks at: the most a ranged read fetches to tell the formats apart. */
export const SNIFF_BYTES = 16

/** The largest safetensors header the reference reader accepts (100,000,000 bytes). */
const SAFETENSORS_HEADER_LIMIT = 100_000_000

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] // \x89HDF\r\n\x1a\n
const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04] // PK\x03\x04
const isSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d
const startsWith = (head: Uint8Array, magic: ReadonlyArray<number>): boolean => magic.every((b, i) => head[i] === b)

/** The format `head` (a file's first bytes, up to {@link SNIFF_BYTES}) starts like. */
export const sniffContent = (head: Uint8Array): ContentKind => {
  if (head.length === 0) return 'empty'
  if (startsWith(head, HDF5_SIGNATURE)) return 'hdf5'
  if (startsWith(head, ZIP_LOCAL_HEADER)) return 'zip'
  if (head.length > 8) {
    // An 8-byte little-endian header length, then the header's JSON (the reference reader allows spaces first).
    const length = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true)
    if (length >= 2n && length <= BigInt(SAFETENSORS_HEADER_LIMIT) && (head[8] === 0x7b || isSpace(head[8]))) return 'safetensors'
  }
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0 // a UTF-8 byte order mark
  while (i < head.length && isSpace(head[i])) i++
  return head[i] === 0x7b ? 'json' : 'unknown'
}

const hex = (head: Uint8Array): string => Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ')

/** What `head` is, in words, for a message. */
export const describeContent = (kind: ContentKind, head: Uint8Array): string => {
  switch (kind) {
    case 'hdf5':
      return 'an HDF5 file (signature \\x89HDF\\r\\n\\x1a\\n), as Keras .weights.h5 files are'
    case 'zip':
      return 'a zip archive (PK\\x03\\x04), as Keras .keras files are'
    case 'safetensors':
      return 'a safetensors file (an 8-byte header length, then the JSON header)'
    case 'json':
      return 'JSON (it starts with "{"), as a tfjs model.json is'
    case 'empty':
      return 'empty (0 bytes)'
    case 'unknown':
      return `none of these formats (it starts with the bytes ${hex(head)})`
  }
}

/** The content each format starts with. */
export const EXPECTED_CONTENT: Record<CheckpointFormat, ContentKind> = {
  'tfjs-layers': 'json',
  safetensors: 'safetensors',
  'keras-weights': 'hdf5',
  'keras-model': 'zip',
}

/** The endings `loadWeights` reads, for messages. */
export const ACCEPTED_ENDINGS: ReadonlyArray<string> = ['.safetensors', '.weights.h5', 'model.json', '.keras']

const ACCEPTED_TEXT =
  "'.safetensors' (safetensors), '.weights.h5' (Keras 3 weights), 'model.json' (tfjs layers format, with its weight files) " +
  "and '.keras' (Keras 3 archive)"

/** The ending whose format `kind` is, for a hint. */
const endingFor = (kind: ContentKind): string | null => {
  const format = (Object.keys(EXPECTED_CONTENT) as CheckpointFormat[]).find((f) => EXPECTED_CONTENT[f] === kind)
  return format === undefined ? null : (supportedEndings.find(([, f]) => f === format)?.[0] ?? null)
}

const unrecognized = (path: string, found: string, why: string): TfjsAdapterError => ({
  _tag: 'UnrecognizedWeightsFile',
  path,
  found,
  accepted: ACCEPTED_ENDINGS,
  message: `ckpt/tfjs: loadWeights cannot read '${path}': ${why}. loadWeights picks the format by the ending, as Keras's load_weights does, and accepts ${ACCEPTED_TEXT}`,
})

/**
 * The format to read `path` as: the one its ending selects, unless its first bytes (`head`) are another of the
 * formats. Bytes of none of them (say a truncated or corrupt file) are left to the format's reader, whose error says
 * what is wrong with them. Left with `UnrecognizedWeightsFile` when the ending is unknown or names another format.
 *
 * @example
 * weightsFormat('best.weights.h5', hdf5Head) // Right('keras-weights')
 * weightsFormat('best.safetensors', hdf5Head) // Left(UnrecognizedWeightsFile: "... its bytes are an HDF5 file ...")
 */
export const weightsFormat = (path: string, head: Uint8Array): E.Either<TfjsAdapterError, CheckpointFormat> => {
  const kind = sniffContent(head)
  const found = describeContent(kind, head)
  const hit = supportedEndings.find(([ending]) => path.endsWith(ending))
  const rename = endingFor(kind)
  const hint = rename === null ? '' : ` (name it with the ending '${rename}')`
  if (hit === undefined) {
    if (path.endsWith('.h5') || path.endsWith('.hdf5'))
      return E.left(
        unrecognized(
          path,
          found,
          `legacy Keras HDF5 files ('.h5'/'.hdf5') are not read (save the weights with Keras 3 as '.weights.h5'); its bytes are ${found}`,
        ),
      )
    return E.left(unrecognized(path, found, `its ending is not one loadWeights reads; its bytes are ${found}${hint}`))
  }
  const [ending, format] = hit
  if (kind === EXPECTED_CONTENT[format] || kind === 'unknown' || kind === 'empty') return E.right(format)
  return E.left(unrecognized(path, found, `it ends in '${ending}', but its bytes are ${found}${hint}`))
}
