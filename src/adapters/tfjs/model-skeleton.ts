import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

/** The classes a tfjs layers topology is built from at its top (and nested models), as tfjs registers them. */
const MODEL_CLASSES = ['Sequential', 'Model', 'Functional'] as const

type FromConfig = (cls: unknown, config: unknown, customObjects?: unknown, fastWeightInit?: boolean) => unknown

/**
 * A model built from a tfjs layers topology, compiled by its training config, every weight zero-filled: the
 * weights are to be assigned next. This is what `tfl.loadLayersModel` does before it loads weights ("fast weight
 * init": zeros instead of the initializers, which may be slow, and which would touch every page of N bytes;
 * zeros are fresh pages the kernel does not back until they are written, on cpu). tfjs offers that only with
 * the weights in memory, so the models' `fromConfig` are asked for it here, through the class registry, while
 * `modelFromJSON` deserializes (synchronously, before its first `await`), and put back right after.
 */
export const modelSkeleton = async (parts: {
  readonly modelTopology: tf.io.ModelArtifacts['modelTopology']
  readonly trainingConfig?: tf.io.TrainingConfig | undefined
  readonly userDefinedMetadata?: object | undefined
}): Promise<tfl.LayersModel> => {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, [unknown, FromConfig] | undefined>
  const saved = MODEL_CLASSES.map((name) => [name, map[name]] as const)
  for (const [name, entry] of saved)
    if (entry !== undefined) map[name] = [entry[0], (cls, config, customObjects) => entry[1](cls, config, customObjects, true)]
  let building: Promise<tfl.LayersModel>
  try {
    building = tfl.models.modelFromJSON({ modelTopology: parts.modelTopology as tf.io.ModelJSON['modelTopology'] })
  } finally {
    for (const [name, entry] of saved) if (entry !== undefined) map[name] = entry
  }
  const model = await building
  try {
    if (parts.trainingConfig != null) model.loadTrainingConfig(parts.trainingConfig as Parameters<tfl.LayersModel['loadTrainingConfig']>[0])
    if (parts.userDefinedMetadata != null) model.setUserDefinedMetadata(parts.userDefinedMetadata)
  } catch (e) {
    // A training config tfjs cannot compile (a loss it does not know): the model, and the optimizer `compile` took
    // before it failed (held by a Sequential's inner model only), are let go of, not left in the backend.
    const optimizer = (model.optimizer ?? (model as unknown as { model?: tfl.LayersModel }).model?.optimizer) as tf.Optimizer | undefined
    model.dispose()
    optimizer?.dispose()
    throw e
  }
  return model
}
