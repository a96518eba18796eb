import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import { isBlockRecord } from '../../checkpointer/index-file.js'
import type { ArtifactReader } from '../../checkpointer/serializer.js'
import { allocate } from '../../storage/data.js'
import type { ByteRange } from '../../storage/storage.js'
import { wasmHeap, type WasmHeap } from './capture.js'
import { typedView, type TfjsNumericDtype } from './dtypes.js'
import { fail, orThrow } from './errors.js'
import { checkModelJsonPath, entryBytes, parseModelJson, weightKeysOf } from './layout.js'
import { modelSkeleton } from './model-skeleton.js'
import { assertUniqueNames } from './names.js'
import { assignWeight } from './assign-weight.js'
import { layersMismatches, mismatchMessage } from './layers-mismatches.js'
import { ckptMetadataOf } from './ckpt-metadata.js'
import { restoreHiddenOptimizerState } from './optimizer.js'
import { assertOptimizerMatches } from './optimizer-match.js'

/** Most bytes of weights read at once (a weight larger than this is read alone, into its own array). */
const GROUP_BYTES = 64 << 20

const NUMERIC: ReadonlySet<string> = new Set<TfjsNumericDtype>(['float32', 'int32', 'bool'])

/** One weight of the manifest and where its bytes are: one piece, or several when it runs across weight files. */
interface Placed {
  readonly spec: tf.io.WeightsManifestEntry
  readonly bytes: number
  readonly pieces: ReadonlyArray<{ readonly key: string; readonly range: ByteRange }>
}

/** Lays the weights of `specs` out over the weight files in order, as tfjs concatenates them. */
const place = (specs: ReadonlyArray<tf.io.WeightsManifestEntry>, files: ReadonlyArray<{ key: string; size: number }>): Placed[] => {
  let file = 0
  let at = 0
  return specs.map((spec) => {
    const bytes = entryBytes(spec) as number
    const pieces: Array<{ key: string; range: ByteRange }> = []
    for (let left = bytes; left > 0;) {
      while (at === files[file]!.size) [file, at] = [file + 1, 0]
      const n = Math.min(left, files[file]!.size - at)
      pieces.push({ key: files[file]!.key, range: { start: at, end: at + n } })
      at += n
      left -= n
    }
    return { spec, bytes, pieces }
  })
}

/** Consecutive weights of at most GROUP_BYTES together (a larger one alone); all in one group when `whole`. */
const groupsOf = (placed: ReadonlyArray<Placed>, whole: boolean): Placed[][] => {
  const groups: Placed[][] = []
  let bytes = 0
  for (const p of placed) {
    const last = groups.at(-1)
    if (last !== undefined && (whole || bytes + p.bytes <= GROUP_BYTES)) {
      last.push(p)
      bytes += p.bytes
    } else {
      groups.push([p])
      bytes = p.bytes
    }
  }
  return groups
}

/** The bytes of each weight of `group`, verified: one read of ranges per weight file, a weight's pieces joined. */
const readGroup = async (reader: ArtifactReader, group: ReadonlyArray<Placed>): Promise<Uint8Array[]> => {
  const byKey = new Map<string, ByteRange[]>()
  for (const p of group)
    for (const { key, range } of p.pieces) {
      const ranges = byKey.get(key) ?? []
      ranges.push(range)
      byKey.set(key, ranges)
    }
  const read = new Map<string, Uint8Array[]>()
  for (const [key, ranges] of byKey) read.set(key, await reader.readRanges(key, ranges))
  return group.map((p) => {
    const parts = p.pieces.map(({ key }) => read.get(key)!.shift()!)
    if (parts.length === 1) return parts[0]!
    const out = allocate(p.bytes)
    let at = 0
    for (const part of parts) {
      out.set(part, at)
      at += part.byteLength
    }
    return out
  })
}

/** A tensor on the weight's own bytes: the cpu backend keeps the array as it is (no copy); wasm copies it into its heap. */
const tensorOn = (spec: tf.io.WeightsManifestEntry, bytes: Uint8Array): tf.Tensor => {
  const dtype = spec.dtype as TfjsNumericDtype
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice()
  return tf.tensor(typedView(dtype, aligned), spec.shape, dtype)
}

/**
 * On wasm, copies a weight's bytes over its variable's own memory in the heap (the zeros it was built with), so the
 * heap never holds a second copy of it. Not for memory the variable shares (weights set from another model's
 * `getWeights()`, a clone kept by the caller): that tensor would change too, so the variable gets a tensor of its own.
 */
const fillInPlace = (heap: WasmHeap | null, v: tfl.LayerVariable, bytes: Uint8Array): boolean => {
  if (heap === null) return false
  const info = heap.dataIdMap.get(v.read().dataId)
  if (info === undefined || info.refCount !== 1) return false
  heap.wasm.HEAPU8.set(bytes, info.memoryOffset)
  return true
}

/** Whether {@link restoreLayersModel} reads these weights: float32, int32 and bool, not quantized (what ckpt writes). */
const readableWeightByWeight = (specs: ReadonlyArray<tf.io.WeightsManifestEntry>): boolean =>
  specs.every((s) => s.quantization === undefined && NUMERIC.has(s.dtype))

/** A `model.json` checkpoint's manifest and weight files, as {@link fillWeights} reads them. */
interface WeightsLayout {
  readonly key: string
  readonly json: ReturnType<typeof parseModelJson> extends E.Either<unknown, infer J> ? J : never
  readonly specs: ReadonlyArray<tf.io.WeightsManifestEntry>
  readonly files: ReadonlyArray<{ readonly key: string; readonly size: number; readonly whole: boolean }>
}

/**
 * Reads a `model.json` checkpoint's manifest and checks its weight files' sizes against it. `null` when the manifest
 * needs what only tfjs decodes (quantized weights, other dtypes).
 */
const readLayout = async (reader: ArtifactReader, path: string): Promise<WeightsLayout | null> => {
  const key = orThrow(checkModelJsonPath(path))
  const json = orThrow(parseModelJson(key, new TextDecoder().decode(await reader.readFile(key))))
  const specs = (json.weightsManifest ?? []).flatMap((g) => g.weights)
  if (!readableWeightByWeight(specs)) return null
  const keys = orThrow(weightKeysOf(key, json))
  const files: Array<{ key: string; size: number; whole: boolean }> = []
  for (const k of keys) {
    const record = reader.files.find((f) => f.key === k)
    // A file the entry does not hold: reading it makes the reader say so (a corrupt checkpoint).
    if (record === undefined) await reader.readFile(k)
    else files.push({ key: k, size: record.size, whole: !isBlockRecord(record) })
  }
  const expected = specs.reduce((n, s) => n + (entryBytes(s) as number), 0)
  const got = files.reduce((n, f) => n + f.size, 0)
  if (got !== expected)
    fail({
      _tag: 'InvalidWeightsFile',
      path: key,
      message: `ckpt/tfjs: the weight files of ${key} hold ${got} bytes, but its weightsManifest needs ${expected}`,
    })
  return { key, json, specs, files }
}

/**
 * Puts the checkpoint's weights into `model`'s variables, in groups of at most 64 MiB (a larger weight alone), each
 * group verified (the blocks it touches) before any of it is used: on cpu as a tensor on its own array (no copy), on
 * wasm copied over the variable's memory in the heap. Then the optimizer's weights, all at once (tfjs sets them
 * together), the previous ones disposed. Names and shapes are checked first. Weight files without block checksums
 * (older indexes) are verified whole, so they are read in one group.
 */
const fillWeights = async (reader: ArtifactReader, layout: WeightsLayout, model: tfl.LayersModel): Promise<void> => {
  const { key, specs, files } = layout
  assertUniqueNames(model.weights.map((v) => v.originalName))
  const mismatches = layersMismatches(model, specs)
  if (mismatches.length > 0) fail({ _tag: 'WeightsMismatch', path: key, mismatches, message: mismatchMessage(key, mismatches) })
  const variables = new Map(model.weights.map((v) => [v.originalName, v]))
  const optimizerWeights: Array<{ name: string; tensor: tf.Tensor }> = []
  try {
    for (const group of groupsOf(
      place(specs, files),
      files.some((f) => f.whole),
    )) {
      const bytes = await readGroup(reader, group)
      const heap = wasmHeap() // looked up after each read: the heap may have grown meanwhile
      group.forEach(({ spec }, i) => {
        if (spec.group === 'optimizer') return void optimizerWeights.push({ name: spec.name, tensor: tensorOn(spec, bytes[i]!) })
        const v = variables.get(spec.name)!
        if (fillInPlace(heap, v, bytes[i]!)) return
        // The variable takes the tensor's data (no copy on cpu); disposing the tensor leaves it to the variable.
        const t = tensorOn(spec, bytes[i]!)
        assignWeight(v, t)
        t.dispose()
      })
    }
    // tfjs ignores optimizer weights when the model has no optimizer (no training config); so does this.
    const optimizer = model.optimizer
    if (optimizer != null && optimizerWeights.length > 0) {
      const old = await optimizer.getWeights()
      await optimizer.setWeights(optimizerWeights)
      tf.dispose(old.map((w) => w.tensor))
    }
  } finally {
    tf.dispose(optimizerWeights.map((w) => w.tensor))
  }
}

/**
 * A new compiled model from a `model.json` checkpoint, read through a verifying reader weight by weight: the model
 * is built with zero-filled weights, then filled by {@link fillWeights}. So the restore holds the model, one group
 * and the reads in flight; never the weight files whole and the tensors at once. `null` when the manifest needs
 * what only tfjs decodes (quantized weights, other dtypes). Any failure disposes the model it built.
 */
export const restoreLayersModel = async (reader: ArtifactReader, path: string): Promise<tfl.LayersModel | null> => {
  const layout = await readLayout(reader, path)
  if (layout === null) return null
  const model = await modelSkeleton({
    modelTopology: layout.json.modelTopology,
    trainingConfig: layout.json.trainingConfig,
    userDefinedMetadata: layout.json.userDefinedMetadata,
  })
  try {
    await fillWeights(reader, layout, model)
    return model
  } catch (e) {
    // The training config compiled the model with an optimizer object, which the model does not dispose.
    const optimizer = model.optimizer as tf.Optimizer | undefined
    model.dispose()
    optimizer?.dispose()
    throw e
  }
}

/**
 * Puts a `model.json` checkpoint's weights and optimizer state into an existing compiled `model` (the same
 * architecture and optimizer class), read as {@link restoreLayersModel} reads them: the restore holds the model and
 * one group of weights. The optimizer class and the names and shapes are checked before anything is written; a
 * corrupt weight file found while reading rejects with the model's weights partly replaced (the caller passes the
 * checkpoint over and fills the model from another, or reports the failure). `false` when the manifest needs what
 * only tfjs decodes: the caller reads the artifacts whole.
 */
export const fillLayersModel = async (reader: ArtifactReader, path: string, model: tfl.LayersModel): Promise<boolean> => {
  const layout = await readLayout(reader, path)
  if (layout === null) return false
  assertOptimizerMatches(model, layout.key, layout.json.trainingConfig, layout.specs)
  await fillWeights(reader, layout, model)
  const hidden = ckptMetadataOf(layout.json.userDefinedMetadata)?.optimizerHidden
  if (hidden !== undefined) restoreHiddenOptimizerState(model.optimizer, hidden)
  return true
}
