// The serializers the law runs over: for each, the filepaths it takes, the snapshot of a seed (built from a tiny
// tfjs model whose weights the seed sets, as the tfjs callback builds it), and a canonical byte form of what a
// restore gives, so that a restore can be compared with the seed's snapshot byte for byte.
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { captureBytes, captureTensors, modelCapturer, releaseCapture, type ModelCapture } from '../../src/adapters/tfjs/capture.js'
import { kerasSnapshot, type KerasCheckpointFormat } from '../../src/adapters/tfjs/keras-checkpoint.js'
import { serializerFor } from '../../src/adapters/tfjs/serializers.js'
import type { SnapshotSource } from '../../src/checkpointer/checkpointer.js'
import { safetensorsSerializer, type Serializer } from '../../src/checkpointer/index.js'
import type { WeightsFile } from '../../src/keras/weights-file.js'
import { decodeZip } from '../../src/keras/zip-read.js'
import type { Tensors } from '../../src/tensors/index.js'
import { tinyModel } from '../tfjs/support/fixtures.js'
import { tensorsFor } from './support.js'

export type LawFormatName = 'safetensors' | 'tfjs-layers' | 'tfjs-weights' | 'keras-weights' | 'keras-model'

export interface LawFormat {
  readonly name: LawFormatName
  readonly serializer: () => Serializer<unknown, unknown>
  /** Filepaths for epoch-level saves, and for batch-level ones (which must name the batch or be fixed). */
  readonly epochPaths: ReadonlyArray<string>
  readonly batchPaths: ReadonlyArray<string>
  /** Prepares what the format needs (a tfjs backend and model); idempotent. */
  readonly setup: () => Promise<void>
  /** What a save of `seed` hands the Checkpointer. */
  readonly source: (seed: number) => SnapshotSource<unknown>
  /** The canonical byte form of the snapshot of `seed`. */
  readonly expected: (seed: number) => Promise<unknown>
  /** The canonical byte form of what `serializer.read` gave. */
  readonly canon: (restored: unknown) => Promise<unknown>
  /** fast-check runs by default, per storage. */
  readonly runs: { readonly memory: number; readonly fs: number }
}

const bytes = (d: ArrayBufferView): number[] => Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength))

const tensorBytes = (t: Tensors) =>
  Object.entries(t)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => [k, v.dtype, [...v.shape], bytes(v.data)])

const weightsFileBytes = (w: WeightsFile) =>
  // Sorted by path: a weights file's groups form a tree, and a read gives them back in the file's order.
  [...w.groups]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((g) => [g.path, g.name, g.vars.map((v) => [v.dtype, [...v.shape], bytes(v.data)])])

/** A `.keras` archive's entries byte for byte, but metadata.json (its save date and the checkpoint's entry data). */
const archiveBytes = async (archive: Uint8Array) => {
  const entries = await decodeZip(archive)
  if (entries._tag === 'Left') throw new Error(entries.left.message)
  return entries.right
    .filter((e) => e.name !== 'metadata.json')
    .map((e) => [e.name, bytes(e.data)])
    .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1))
}

const artifactsBytes = (a: tf.io.ModelArtifacts) => {
  const data = a.weightData
  if (!(data instanceof ArrayBuffer)) throw new Error(`weightData is not one ArrayBuffer`)
  return {
    topology: a.modelTopology,
    specs: a.weightSpecs?.map((s) => [s.name, [...s.shape], s.dtype, s.group ?? null]),
    data: Array.from(new Uint8Array(data)),
  }
}

/** The tiny model, on cpu, its weights set from a seed. */
let model: tfl.Sequential | null = null
const setup = async (): Promise<void> => {
  if (model !== null) return
  await useBackend('cpu')
  model = tinyModel(tf.train.sgd(0.1))
}
const seeded = (seed: number): tfl.Sequential => {
  if (model === null) throw new Error('law-formats: setup() first')
  const values = model.weights.map((w, i) =>
    tf.tensor(
      Array.from({ length: w.shape.reduce<number>((a, b) => a * (b ?? 1), 1) }, (_, j) => seed * 1000 + i * 100 + j * 0.25 + 0.5),
      w.shape as number[],
    ),
  )
  model.setWeights(values)
  tf.dispose(values)
  return model
}

const capturer = modelCapturer()
const description = (m: tfl.Sequential) => ({
  topology: m.toJSON(null, false) as tf.io.ModelJSON['modelTopology'],
  trainingConfig: (m as unknown as { getTrainingConfig(): tf.io.TrainingConfig }).getTrainingConfig(),
  userDefinedMetadata: null,
})
/** The capture the callback takes (`source` in callback.ts): with the optimizer and description for tfjs-layers. */
const captureOf = (seed: number, layers: boolean): Promise<ModelCapture> => {
  const m = seeded(seed)
  return capturer.capture(m, { includeOptimizer: layers, model: layers ? description(m) : null })
}

const memo = <T>(f: (seed: number) => Promise<T>): ((seed: number) => Promise<T>) => {
  const cache = new Map<number, Promise<T>>()
  return (seed) => {
    let hit = cache.get(seed)
    if (hit === undefined) cache.set(seed, (hit = f(seed)))
    return hit
  }
}

const tfjsFormat = (name: 'tfjs-layers' | 'tfjs-weights'): LawFormat => {
  const layers = name === 'tfjs-layers'
  return {
    name,
    serializer: () => serializerFor(layers ? 'tfjs-layers' : 'safetensors'),
    epochPaths: layers
      ? ['best/model.json', 'e{epoch}/model.json', 'e{epoch:02d}-{loss:.2f}/model.json']
      : ['best.safetensors', 'e{epoch}.safetensors', 'e{epoch:02d}-{loss:.2f}.safetensors'],
    batchPaths: layers
      ? ['best/model.json', 'ckpt/e{epoch}-b{batch}/model.json']
      : ['best.safetensors', 'ckpt/e{epoch}-b{batch}.safetensors'],
    setup,
    source: (seed) => () => captureOf(seed, layers),
    expected: memo(async (seed) => {
      const c = await captureOf(seed, layers)
      try {
        const b = await captureBytes(c)
        if (!layers) return tensorBytes(captureTensors(c, b.weights))
        return {
          topology: c.model!.topology,
          specs: [
            ...c.weights.map((t) => [t.name, [...t.shape], t.dtype, null]),
            ...c.optimizer.map((t) => [t.name, [...t.shape], t.dtype, 'optimizer']),
          ],
          data: [...b.weights, ...b.optimizer].flatMap(bytes),
        }
      } finally {
        releaseCapture(c)
      }
    }),
    canon: (r) => Promise.resolve(layers ? artifactsBytes(r as tf.io.ModelArtifacts) : tensorBytes(r as Tensors)),
    runs: { memory: 40, fs: 15 },
  }
}

const kerasFormat = (format: KerasCheckpointFormat): LawFormat => {
  const ending = format === 'keras-weights' ? '.weights.h5' : '.keras'
  // Taken once per seed: a `.keras` archive carries its save date, so a seed's snapshot is its first one.
  const snapshot = memo((seed) => kerasSnapshot(format, `law${ending}`, seeded(seed)))
  const canon = (r: unknown) =>
    Promise.resolve(format === 'keras-weights' ? weightsFileBytes(r as WeightsFile) : archiveBytes(r as Uint8Array))
  return {
    name: format,
    serializer: () => serializerFor(format),
    epochPaths: [`best${ending}`, `e{epoch}${ending}`, `e{epoch:02d}-{loss:.2f}${ending}`],
    batchPaths: [`best${ending}`, `ckpt/e{epoch}-b{batch}${ending}`],
    setup,
    source: (seed) => () => snapshot(seed),
    expected: async (seed) => canon(await snapshot(seed)),
    canon,
    runs: { memory: 20, fs: 10 },
  }
}

export const LAW_FORMATS: ReadonlyArray<LawFormat> = [
  {
    name: 'safetensors',
    serializer: () => safetensorsSerializer(),
    epochPaths: ['best.safetensors', 'e{epoch}.safetensors', 'e{epoch:02d}-{loss:.2f}.safetensors'],
    batchPaths: ['best.safetensors', 'ckpt/e{epoch}-b{batch}.safetensors'],
    setup: () => Promise.resolve(),
    source: (seed) => tensorsFor(seed),
    expected: (seed) => Promise.resolve(tensorBytes(tensorsFor(seed))),
    canon: (r) => Promise.resolve(tensorBytes(r as Tensors)),
    runs: { memory: 60, fs: 25 },
  },
  tfjsFormat('tfjs-layers'),
  tfjsFormat('tfjs-weights'),
  kerasFormat('keras-weights'),
  kerasFormat('keras-model'),
]
