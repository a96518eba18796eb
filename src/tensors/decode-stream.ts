import * as E from '#fp-ts/Either.js'
import type { DecodedSafetensors } from './decode.js'
import { dtypeArray, type TensorData } from './dtype.js'
import { metadataIncompleteBuffer, tensorTooLarge, unsupportedHost, type SafetensorsError } from './errors.js'
import { readFrame } from './frame.js'
import { MAX_HEADER_SIZE, MAX_TENSOR_BYTES } from './header.js'
import { HOST_IS_LITTLE_ENDIAN } from './host.js'
import type { Tensor } from './tensor.js'

/** The first 8 + n bytes of a file (n its declared header length, when that is in bounds), from chunks as they come. */
class Head {
  private bytes = new Uint8Array(8)
  private filled = 0
  private sized = false
  constructor(private readonly fileLength: number) {}

  /** Takes what it still needs from `chunk`; returns how many bytes it took. */
  take(chunk: Uint8Array): number {
    let taken = 0
    for (;;) {
      const n = Math.min(chunk.byteLength - taken, this.bytes.byteLength - this.filled)
      this.bytes.set(chunk.subarray(taken, taken + n), this.filled)
      this.filled += n
      taken += n
      if (this.sized || this.filled < 8) return taken
      this.sized = true
      const declared = new DataView(this.bytes.buffer).getBigUint64(0, true)
      // Out of bounds, the 8 bytes are all readFrame needs to say so: nothing is allocated from the declared size.
      if (declared > BigInt(MAX_HEADER_SIZE) || 8 + Number(declared) > this.fileLength) return taken
      const grown = new Uint8Array(8 + Number(declared))
      grown.set(this.bytes)
      this.bytes = grown
    }
  }

  get complete(): boolean {
    return this.sized && this.filled === this.bytes.byteLength
  }

  /** The bytes gathered so far. */
  get value(): Uint8Array {
    return this.bytes.subarray(0, this.filled)
  }
}

export interface StreamDecodeOptions {
  /**
   * Given the names in the header (in file order), the names to keep: the others are not allocated, and their bytes
   * are read past. Default: every tensor.
   */
  readonly select?: (names: ReadonlyArray<string>) => ReadonlySet<string>
}

/** Where the data section's bytes go: one fresh array per tensor, in data order. */
interface Destination {
  readonly bytes: Uint8Array
  readonly begin: number
}

/** The code of the public `decodeSafetensorsStream` (decode-stream-load.ts, which documents it), imported at its first call. */
export const decodeSafetensorsStream = async (
  chunks: AsyncIterable<Uint8Array>,
  fileLength: number,
  options: StreamDecodeOptions = {},
): Promise<E.Either<SafetensorsError, DecodedSafetensors>> => {
  if (!HOST_IS_LITTLE_ENDIAN) return E.left(unsupportedHost())
  const iterator = chunks[Symbol.asyncIterator]()
  try {
    return await decodeFrom(iterator, fileLength, options.select)
  } finally {
    // Stopped at fileLength or at an error: the source (an open file, a response body) is let go now.
    await iterator.return?.()
  }
}

const decodeFrom = async (
  iterator: AsyncIterator<Uint8Array>,
  fileLength: number,
  select: StreamDecodeOptions['select'],
): Promise<E.Either<SafetensorsError, DecodedSafetensors>> => {
  const head = new Head(fileLength)
  let rest: Uint8Array = new Uint8Array(0)
  while (!head.complete) {
    const next = await iterator.next()
    if (next.done === true) break
    const taken = head.take(next.value)
    rest = next.value.subarray(taken)
  }
  // Ended inside the header (the declared length is in bounds, or the head would be complete): the error of a file
  // cut there, before the partial header reaches the JSON parser.
  if (!head.complete && fileLength >= 8) {
    const cut = readFrame(head.value, head.value.byteLength)
    if (E.isLeft(cut)) return cut
  }
  const frame = readFrame(head.value, fileLength)
  if (E.isLeft(frame)) return frame
  const { header, dataStart } = frame.right
  const kept = select === undefined ? null : select(header.tensors.map((t) => t.name))
  const chosen = kept === null ? header.tensors : header.tensors.filter((t) => kept.has(t.name))
  const tensors = Object.create(null) as Record<string, Tensor>
  const destinations: Destination[] = []
  for (const t of chosen) {
    const byteLength = t.end - t.begin
    if (byteLength > MAX_TENSOR_BYTES) return E.left(tensorTooLarge(t.name, byteLength, MAX_TENSOR_BYTES))
  }
  for (const t of chosen) {
    const View = dtypeArray(t.dtype)
    const data: TensorData = new View((t.end - t.begin) / View.BYTES_PER_ELEMENT)
    tensors[t.name] = { dtype: t.dtype, shape: t.shape, data }
    if (data.byteLength > 0) destinations.push({ bytes: new Uint8Array(data.buffer), begin: t.begin })
  }
  const dataLength = fileLength - dataStart
  // Copies `chunk`, which starts at data byte `at`, into the tensors it covers (bytes of tensors not kept are passed
  // over); returns the data bytes now read.
  let which = 0
  const fill = (chunk: Uint8Array, at: number): number => {
    let used = 0
    while (used < chunk.byteLength && which < destinations.length) {
      const d = destinations[which]!
      if (at + used < d.begin) {
        used = Math.min(chunk.byteLength, d.begin - at)
        continue
      }
      const offset = at + used - d.begin
      const n = Math.min(chunk.byteLength - used, d.bytes.byteLength - offset)
      d.bytes.set(chunk.subarray(used, used + n), offset)
      used += n
      if (offset + n === d.bytes.byteLength) which++
    }
    return at + chunk.byteLength
  }
  let filled = fill(rest.subarray(0, dataLength), 0)
  while (filled < dataLength) {
    const next = await iterator.next()
    if (next.done === true) return E.left(metadataIncompleteBuffer(dataLength, filled))
    filled = fill(next.value.subarray(0, dataLength - filled), filled)
  }
  const metadata = Object.create(null) as Record<string, string>
  for (const [k, v] of header.metadata ?? []) metadata[k] = v
  return E.right({ tensors, metadata })
}
