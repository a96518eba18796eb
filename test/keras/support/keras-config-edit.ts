import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import { decodeKerasModel, encodeKerasModel } from '../../../src/adapters/tfjs/keras/model-file.js'
import type { KerasFormatError } from '../../../src/keras/errors.js'
import { replaceZipEntry } from '../../../src/keras/zip.js'
import { readZipEntry } from '../../../src/keras/zip-read.js'
import { concatChunks } from '../../../src/storage/data.js'

/** A layer entry of a Keras 3 config.json, as the refusal tests edit it. */
export interface KerasLayerEntry {
  name: string
  class_name: string
  config: Record<string, unknown>
  inbound_nodes: Array<{ args: unknown[]; kwargs: Record<string, unknown> }>
}

/** The `__keras_tensor__` for the output `tensor` of call `node` of `layer`, as Keras 3 writes it. */
export const kerasTensorRef = (layer: string, node: number, tensor = 0): unknown => ({
  class_name: '__keras_tensor__',
  config: { shape: null, dtype: 'float32', keras_history: [layer, node, tensor] },
})

/**
 * What ckpt makes of the `.keras` file it writes for `model` once `edit` has changed its config.json: the loaded
 * model (disposed) or the error.
 */
export const loadEdited = async (
  model: tfl.LayersModel,
  edit: (config: { config: { layers: KerasLayerEntry[]; input_layers: unknown; output_layers: unknown } }) => void,
): Promise<E.Either<KerasFormatError, 'loaded'>> => {
  await tf.setBackend('cpu')
  const bytes = await encodeKerasModel(model)
  if (E.isLeft(bytes)) throw new Error(bytes.left.message)
  const entry = await readZipEntry(bytes.right, 'config.json', 1 << 24)
  if (E.isLeft(entry) || entry.right === null) throw new Error('no config.json')
  const config = JSON.parse(new TextDecoder().decode(entry.right)) as Parameters<typeof edit>[0]
  edit(config)
  const chunks = replaceZipEntry(bytes.right, 'config.json', new TextEncoder().encode(JSON.stringify(config)))
  if (E.isLeft(chunks)) throw new Error(chunks.left.message)
  const loaded = await decodeKerasModel(concatChunks(chunks.right), 'edited.keras')
  if (E.isLeft(loaded)) return loaded
  loaded.right.model.dispose()
  return E.right('loaded')
}

/** The layer entry named `name` of an edited config. */
export const layerNamed = (config: { config: { layers: KerasLayerEntry[] } }, name: string): KerasLayerEntry => {
  const l = config.config.layers.find((x) => x.name === name)
  if (l === undefined) throw new Error(`no layer ${name}`)
  return l
}
