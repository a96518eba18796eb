import type * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { safetensorsSerializer, META_KEY } from '../../checkpointer/safetensors-serializer.js'
import { checkpointMetaToJson } from '../../checkpointer/checkpoint-meta.js'
import type { Serializer } from '../../checkpointer/serializer.js'
import { versionedPath } from '../../checkpointer/version-counter.js'
import { collectParts } from '../../storage/data.js'
import { kerasModelSerializer, kerasWeightsSerializer } from './keras/serializers.js'
import type { WeightsFile } from '../../keras/weights-file.js'
import { encodeSafetensorsOrThrow, type Tensors } from '../../tensors/index.js'
import { captureBytes, captureTensors, releaseCapture, type ModelCapture } from './capture.js'
import type { CheckpointFormat } from './checkpoint-format.js'
import { scanLayersModels, TFJS_LAYERS_FORMAT } from './layers-scan.js'
import { CKPT_METADATA_KEY } from './ckpt-metadata.js'

export { TFJS_LAYERS_FORMAT }
/** Weights-only checkpoints are plain safetensors files, the same format as the default serializer's. */
export const SAFETENSORS_FORMAT = 'safetensors'

const asBytes = (d: ArrayBufferView): Uint8Array => new Uint8Array(d.buffer, d.byteOffset, d.byteLength)

/**
 * Whole-model checkpoints in the tfjs layers format: `model.json` (topology, training config, weights manifest,
 * ckpt's metadata: the optimizer state tfjs leaves out, and the checkpoint's entry data) plus one weight file
 * holding the model's weights, then the optimizer's (`group: 'optimizer'`), streamed from the captured buffers
 * without concatenation. Written with {@link commitLayersModel}: weight file under a unique name first,
 * `model.json` last. Reads give the artifacts back, every byte verified against the index.
 */
export const tfjsLayersSerializer = (): Serializer<ModelCapture, tf.io.ModelArtifacts> => ({
  format: TFJS_LAYERS_FORMAT,
  capture: (snapshot) => snapshot,
  async write(writer, path, capture, meta) {
    try {
      const model = capture.model
      if (model === null) throw new Error('ckpt/tfjs: internal error: a whole-model capture without its model description')
      const bytes = await captureBytes(capture)
      const weightSpecs: tf.io.WeightsManifestEntry[] = [
        ...capture.weights.map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype })),
        ...capture.optimizer.map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype, group: 'optimizer' as const })),
      ]
      const ckpt = {
        ...(capture.optimizerHidden !== null ? { optimizerHidden: capture.optimizerHidden } : {}),
        checkpoint: checkpointMetaToJson(meta),
      }
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: model.topology,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: null,
        weightSpecs,
        userDefinedMetadata: { ...(model.userDefinedMetadata ?? {}), [CKPT_METADATA_KEY]: ckpt },
        ...(model.trainingConfig !== null && capture.optimizer.length > 0 ? { trainingConfig: model.trainingConfig } : {}),
      }
      // The commit is loaded at the first whole-model save: a page that saves weights only never fetches it.
      const { artifactFiles, commitLayersModel } = await import('./layers-commit.js')
      await commitLayersModel(artifactFiles(writer), path, artifacts, [[...bytes.weights, ...bytes.optimizer].map(asBytes)])
    } finally {
      releaseCapture(capture)
    }
  },
  // Weight files are read as 1 GiB buffers: tfjs slices each weight out of them, so a model may pass 4 GiB.
  read: async (reader, path) =>
    (await import('./layers-read.js')).readLayersModel(
      path,
      (key) => reader.readFile(key),
      (key) => reader.readFileStream(key, (chunks, size) => collectParts(chunks, size)),
    ),
  scan: scanLayersModels,
  // The artifact is its folder: `epoch_03/model.json` → `epoch_03-v1/model.json`.
  versionedPath: (path, n) => {
    const slash = path.lastIndexOf('/')
    return slash > 0 ? `${versionedPath(path.slice(0, slash), n)}/model.json` : versionedPath(path, n)
  },
})

/**
 * Weights-only checkpoints: one safetensors file of the model's weights keyed by `originalName`, carrying the
 * checkpoint's entry data in its header like the default serializer (so a lost index can be rebuilt by scanning).
 */
export const tfjsWeightsSerializer = (): Serializer<ModelCapture, Tensors> => {
  const plain = safetensorsSerializer()
  return {
    format: SAFETENSORS_FORMAT,
    capture: (snapshot) => snapshot,
    async write(writer, path, capture, meta) {
      try {
        const bytes = await captureBytes(capture)
        const chunks = encodeSafetensorsOrThrow(captureTensors(capture, bytes.weights), {
          [META_KEY]: JSON.stringify(checkpointMetaToJson(meta)),
        })
        await writer.writeFile(path, chunks)
      } finally {
        releaseCapture(capture)
      }
    },
    read: plain.read.bind(plain),
    ...(plain.scan !== undefined ? { scan: plain.scan.bind(plain) } : {}),
  }
}

/** What the callback hands the Checkpointer at a save: a capture of the model, or a Keras snapshot (see keras-checkpoint.ts). */
export type CheckpointSnapshot = ModelCapture | WeightsFile | Uint8Array

/** The serializer of each checkpoint format; the Keras ones take the snapshot `kerasSnapshot` builds. */
export const serializerFor = (format: CheckpointFormat): Serializer<CheckpointSnapshot, unknown> => {
  switch (format) {
    case 'tfjs-layers':
      return tfjsLayersSerializer()
    case 'safetensors':
      return tfjsWeightsSerializer()
    case 'keras-weights':
      return kerasWeightsSerializer
    case 'keras-model':
      return kerasModelSerializer
  }
}
