// The checkpoint kinds the SIGKILL test writes and checks: shared by the writer (child) and the test (parent).
// tfjs is imported only by the kinds that need it, so that the other writers start fast.
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { kerasModelSerializer, kerasWeightsSerializer } from '../../src/adapters/tfjs/keras/serializers.js'
import type { Serializer } from '../../src/checkpointer/index.js'
import { decodeKerasArchive } from '../../src/keras/keras-file.js'
import type { WeightsFile } from '../../src/keras/weights-file.js'
import type { Tensors } from '../../src/tensors/index.js'

export type CrashMode = 'safetensors' | 'safetensors-sharded' | 'index-compaction' | 'keras-weights' | 'keras-model' | 'tfjs-layers'

/** How one kind is written and read back; `firstValue` of what a restore gives must be the entry's epoch. */
export interface CrashSetup {
  readonly options: { readonly filepath: string; readonly monitor: 'loss'; readonly maxToKeep?: number; readonly saveBestOnly?: boolean }
  readonly serializer: () => Serializer<unknown, unknown> | undefined | Promise<Serializer<unknown, unknown> | undefined>
  /** The snapshot of `epoch`: every weight value is `epoch`. */
  readonly snapshot: (epoch: number) => unknown
  readonly firstValue: (restored: unknown) => number | Promise<number>
}

const SIZE = 64 * 1024

/** A Dense 256→256 (64 K weights), its kernel and bias all `epoch`. */
let dense: tfl.LayersModel | null = null
const denseAt = async (epoch: number): Promise<tfl.LayersModel> => {
  const tf = await import('@tensorflow/tfjs-core')
  if (dense === null) {
    await import('@tensorflow/tfjs-backend-cpu')
    await tf.setBackend('cpu')
    const tfl = await import('@tensorflow/tfjs-layers')
    dense = tfl.sequential({ name: 'crash', layers: [tfl.layers.dense({ units: 256, inputShape: [256], name: 'd' })] })
  }
  const values = dense.getWeights().map((w) => tf.fill(w.shape, epoch))
  dense.setWeights(values)
  tf.dispose(values)
  return dense
}

export const CRASH_MODES: Readonly<Record<CrashMode, CrashSetup>> = {
  safetensors: {
    options: { filepath: 'ckpt/e{epoch:04d}.safetensors', monitor: 'loss', maxToKeep: 3 },
    serializer: () => undefined,
    snapshot: (epoch) => ({ w: { dtype: 'F32', shape: [SIZE], data: new Float32Array(SIZE).fill(epoch) } }),
    firstValue: (r) => ((r as Tensors).w!.data as Float32Array)[0]!,
  },
  // Hugging Face's layout: four shards of 256 KiB, then their index, then the ckpt index (kills land between shards too).
  'safetensors-sharded': {
    options: { filepath: 'ckpt/e{epoch:04d}/model.safetensors', monitor: 'loss', maxToKeep: 3 },
    serializer: async () =>
      (await import('../../src/checkpointer/safetensors-serializer.js')).safetensorsSerializer({ maxShardSize: SIZE * 4 }),
    snapshot: (epoch) =>
      Object.fromEntries(
        ['a', 'b', 'c', 'd'].map((n) => [`${n}.weight`, { dtype: 'F32', shape: [SIZE], data: new Float32Array(SIZE).fill(epoch) }]),
      ),
    firstValue: (r) => ((r as Tensors)['a.weight']!.data as Float32Array)[0]!,
  },
  // No retention and small tensors: many saves a run, so that kills land in index compactions (one every 17 saves).
  'index-compaction': {
    options: { filepath: 'all/e{epoch:05d}.safetensors', monitor: 'loss' },
    serializer: () => undefined,
    snapshot: (epoch) => ({ w: { dtype: 'F32', shape: [16], data: new Float32Array(16).fill(epoch) } }),
    firstValue: (r) => ((r as Tensors).w!.data as Float32Array)[0]!,
  },
  // A fixed path with saveBestOnly (the loss falls every epoch): each save overwrites the file in place.
  'keras-weights': {
    options: { filepath: 'best_model.weights.h5', monitor: 'loss', saveBestOnly: true },
    serializer: () => kerasWeightsSerializer,
    snapshot: (epoch): WeightsFile => ({
      groups: [
        { path: 'layers/dense', name: 'dense', vars: [{ dtype: 'float32', shape: [SIZE], data: new Float32Array(SIZE).fill(epoch) }] },
      ],
    }),
    firstValue: (r) => (r as WeightsFile).groups[0]!.vars[0]!.data[0] as number,
  },
  'keras-model': {
    options: { filepath: 'best_model.keras', monitor: 'loss', saveBestOnly: true },
    serializer: () => kerasModelSerializer,
    snapshot: async (epoch) => {
      const { encodeKerasModel } = await import('../../src/adapters/tfjs/keras/model-file.js')
      const bytes = await encodeKerasModel(await denseAt(epoch))
      if (bytes._tag === 'Left') throw new Error(bytes.left.message)
      return bytes.right
    },
    firstValue: async (r) => {
      const archive = await decodeKerasArchive(r as Uint8Array, 'best_model.keras')
      if (archive._tag === 'Left') throw new Error(archive.left.message)
      return archive.right.weights.groups.find((g) => g.vars.length > 0)!.vars[0]!.data[0] as number
    },
  },
  'tfjs-layers': {
    options: { filepath: 'ckpt/e{epoch:04d}/model.json', monitor: 'loss', maxToKeep: 3 },
    serializer: async () => (await import('../../src/adapters/tfjs/serializers.js')).tfjsLayersSerializer(),
    snapshot: async (epoch) => {
      const model = await denseAt(epoch)
      const { modelCapturer } = await import('../../src/adapters/tfjs/capture.js')
      return modelCapturer().capture(model, {
        includeOptimizer: false,
        model: { topology: model.toJSON(null, false), trainingConfig: null, userDefinedMetadata: null },
      })
    },
    firstValue: (r) => new Float32Array((r as tf.io.ModelArtifacts).weightData as ArrayBuffer, 0, 1)[0]!,
  },
}
