import * as E from '#fp-ts/Either.js'
import { dtypeArray } from '../tensors/dtype.js'
import { tensorTooLarge, type SafetensorsError } from '../tensors/errors.js'
import { readFrame } from '../tensors/frame.js'
import { MAX_TENSOR_BYTES } from '../tensors/header.js'
import type { Tensor } from '../tensors/index.js'
import { CheckpointFailure, type CheckpointError } from './errors.js'
import { HEAD_BYTES, headFrom } from './safetensors-head.js'
import type { ArtifactReader } from './serializer.js'

/** A checkpoint whose file is not valid safetensors; a valid one with a tensor no typed array holds is `TensorTooLarge`. */
export const invalidFile = (path: string, e: SafetensorsError): CheckpointFailure =>
  // A valid file with a tensor no typed array can hold is not corrupt: the restore cannot be done here.
  e._tag === 'TensorTooLarge'
    ? new CheckpointFailure(e)
    : new CheckpointFailure({
        _tag: 'CorruptCheckpoint',
        path,
        message: `checkpoint "${path}" is not a valid safetensors file: ${e.message}`,
        fallback: null,
      })

/** Names kept in an `UnknownTensors` error, and shown in its message. */
const LISTED = 100
const SHOWN = 10

const quoted = (names: ReadonlyArray<string>): string => {
  const q = (n: string) => JSON.stringify(n.length > 100 ? `${n.slice(0, 100)}…` : n)
  return `${names.slice(0, SHOWN).map(q).join(', ')}${names.length > SHOWN ? `, … (${names.length} in all)` : ''}`
}

/** The names of `wanted` that `names` lacks, each once, or `UnknownTensors` naming them and (some of) what there is. */
export const checkNames = (path: string, wanted: ReadonlyArray<string>, names: ReadonlyArray<string>): void => {
  const have = new Set(names)
  const unknown = [...new Set(wanted)].filter((n) => !have.has(n))
  if (unknown.length === 0) return
  const error: CheckpointError = {
    _tag: 'UnknownTensors',
    path,
    unknown: unknown.slice(0, LISTED),
    available: names.slice(0, LISTED),
    tensorCount: names.length,
    message:
      `checkpoint "${path}" has no tensor named ${quoted(unknown)}; ` +
      `it has ${names.length} tensor${names.length === 1 ? '' : 's'}${names.length > 0 ? `: ${quoted(names)}` : ''}`,
  }
  throw new CheckpointFailure(error)
}

/**
 * The tensors `names` (every tensor, when null) of the safetensors file `path` of `size` bytes, read by ranges: the
 * header first, then only those tensors' bytes, each straight into an array of its own. Each range is verified by
 * `reader` before it is used (a file with block checksums reads and hashes only the blocks the ranges touch).
 */
export const readTensorRanges = async (
  reader: ArtifactReader,
  path: string,
  size: number,
  names: ReadonlyArray<string> | null,
): Promise<Record<string, Tensor>> => {
  const first = await reader.readRange(path, 0, Math.min(size, HEAD_BYTES))
  const frame = readFrame(await headFrom(first, size, (start, end) => reader.readRange(path, start, end)), size)
  if (E.isLeft(frame)) throw invalidFile(path, frame.left)
  const { header, dataStart } = frame.right
  let chosen = header.tensors
  if (names !== null) {
    checkNames(
      path,
      names,
      header.tensors.map((t) => t.name),
    )
    const wanted = new Set(names)
    chosen = header.tensors.filter((t) => wanted.has(t.name))
  }
  for (const t of chosen)
    if (t.end - t.begin > MAX_TENSOR_BYTES) throw invalidFile(path, tensorTooLarge(t.name, t.end - t.begin, MAX_TENSOR_BYTES))
  const filled = chosen.filter((t) => t.end > t.begin)
  const bytes = await reader.readRanges(
    path,
    filled.map((t) => ({ start: dataStart + t.begin, end: dataStart + t.end })),
  )
  const out = Object.create(null) as Record<string, Tensor>
  let i = 0
  for (const t of chosen) {
    const View = dtypeArray(t.dtype)
    const count = (t.end - t.begin) / View.BYTES_PER_ELEMENT
    // Each range is a buffer of its own: the tensor's array views it whole, no copy.
    const b = count === 0 ? null : bytes[i++]!
    out[t.name] = {
      dtype: t.dtype,
      shape: t.shape,
      data: b === null ? new View(0) : new View(b.buffer as ArrayBuffer, b.byteOffset, count),
    }
  }
  return out
}
