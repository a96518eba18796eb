import type * as E from '#fp-ts/Either.js'
import type { DecodedSafetensors } from './decode.js'
import type { StreamDecodeOptions } from './decode-stream.js'
import type { SafetensorsError } from './errors.js'

export type { StreamDecodeOptions }

/**
 * Reads a safetensors file of `fileLength` bytes from its chunks, in order, and gives every tensor an array of its
 * own (a fresh typed array of the dtype's type, as `decodeSafetensors` returns with `copy: true`), filled as the
 * chunks pass: nothing larger than one tensor is allocated, and no chunk is kept. The header is validated exactly
 * as `decodeSafetensors` validates it, before any tensor is allocated. A tensor of more than `MAX_TENSOR_BYTES`
 * is `TensorTooLarge`; a stream that ends early is the error of a file cut there (`HeaderTooSmall`,
 * `InvalidHeaderLength`, `MetadataIncompleteBuffer`). Reading stops at `fileLength`: later bytes are left unread.
 * Never rejects for a malformed file; it rejects only when `chunks` does, or when memory for a tensor cannot be had.
 */
export const decodeSafetensorsStream = async (
  chunks: AsyncIterable<Uint8Array>,
  fileLength: number,
  options: StreamDecodeOptions = {},
): Promise<E.Either<SafetensorsError, DecodedSafetensors>> =>
  // Imported at the first call: a browser bundle fetches the streaming decoder as a chunk of its own, when a page reads.
  (await import('./decode-stream.js')).decodeSafetensorsStream(chunks, fileLength, options)
