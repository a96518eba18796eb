import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'

/**
 * tfjs 4.22's global pooling layers with Keras's `keepdims` (default false: then they compute as tfjs's own).
 * Registered under tfjs's class names (register.ts), so a model read from JSON gets them; tfjs's JSON writes
 * `keepdims` only when it is true, so other readers of it see tfjs's config unchanged.
 */

type LayerClass = (new (args: Record<string, unknown>) => tfl.layers.Layer) & { className: string }

/** A subclass of tfjs's registered global pooling class `className` that keeps the pooled axes as 1s when asked. */
export const withKeepdims = (className: string): LayerClass => {
  const base = tf.serialization.SerializationMap.getMap().classNameMap[className]?.[0] as unknown as LayerClass | undefined
  if (base === undefined) throw new Error(`tfjs has no layer class ${className}`)
  class KeepDims extends base {
    static override readonly className = className
    readonly keepdims: boolean
    constructor(args: Record<string, unknown>) {
      super(args)
      this.keepdims = args['keepdims'] === true
    }
    /** The pooled axes of the input. */
    private pooled(rank: number): ReadonlyArray<number> {
      if (rank === 3) return [1]
      return (this as unknown as { dataFormat?: string }).dataFormat === 'channelsFirst' ? [2, 3] : [1, 2]
    }
    override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
      const out = super.computeOutputShape(inputShape)
      if (!this.keepdims) return out
      const shape = [...(inputShape as tfl.Shape)]
      for (const a of this.pooled(shape.length)) shape[a] = 1
      return shape
    }
    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
      const out = super.call(inputs, kwargs) as tf.Tensor
      if (!this.keepdims) return out
      const input = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs
      const shape = [...input.shape]
      for (const a of this.pooled(shape.length)) shape[a] = 1
      return tf.tidy(() =>
        tf.reshape(
          out,
          shape.map((d, i) => (i === 0 ? -1 : d)),
        ),
      )
    }
    override getConfig(): tf.serialization.ConfigDict {
      return this.keepdims ? { ...super.getConfig(), keepdims: true } : super.getConfig()
    }
  }
  return KeepDims
}
