import * as E from '#fp-ts/Either.js'
import { decodeSafetensorsStream } from '../tensors/decode-stream.js'
import type { Tensor } from '../tensors/index.js'
import { isBlockRecord } from './index-file.js'
import { checkNames, invalidFile, readTensorRanges } from './safetensors-ranged.js'
import type { ArtifactReader } from './serializer.js'
import { safetensorsCode } from './safetensors-load.js'
import { isSharded } from './sharded-names.js'

/**
 * The tensors of a safetensors checkpoint at `path` (those named, when `names` is not null), one file or Hugging
 * Face's shards, verified. Each tensor gets an array of its own. A file with block checksums is read by ranges,
 * straight into the arrays, its blocks hashed in parallel; an older one streams past its SHA-256 into them. Either
 * way the restore holds the tensors and a bounded amount more, never the file as one buffer, so a checkpoint may be
 * larger than any buffer.
 */
export const readSafetensors = (
  reader: ArtifactReader,
  path: string,
  names: ReadonlyArray<string> | null,
): Promise<Record<string, Tensor>> => (isSharded(reader.files, path) ? readSharded(reader, path, names) : readFile(reader, path, names))

/** The tensors of the sharded checkpoint at `path` (those named, when `names` is not null), verified shard by shard. */
const readSharded = async (reader: ArtifactReader, path: string, names: ReadonlyArray<string> | null): Promise<Record<string, Tensor>> =>
  (await safetensorsCode()).readShards(reader, path, names, readFile)

/** The tensors of the safetensors file `key` (those named, when `names` is not null), verified, by ranges where it can. */
const readFile = (reader: ArtifactReader, key: string, names: ReadonlyArray<string> | null): Promise<Record<string, Tensor>> => {
  const record = reader.files.find((f) => f.key === key)
  if (record !== undefined && isBlockRecord(record)) return readTensorRanges(reader, key, record.size, names)
  return streamed(reader, key, names)
}

/**
 * The tensors of `path` (those named, when `names` is not null), as the file streams past its checksum. The names
 * are checked once the whole file verified: until then the header itself is not to be trusted.
 */
const streamed = async (reader: ArtifactReader, path: string, names: ReadonlyArray<string> | null): Promise<Record<string, Tensor>> => {
  let all: ReadonlyArray<string> = []
  const select = names === null ? {} : { select: (found: ReadonlyArray<string>) => ((all = found), new Set(names)) }
  const tensors = await reader.readFileStream(path, async (chunks, size) => {
    const decoded = await decodeSafetensorsStream(chunks, size, select)
    if (E.isLeft(decoded)) throw invalidFile(path, decoded.left)
    return decoded.right.tensors
  })
  if (names !== null) checkNames(path, names, all)
  return tensors
}
