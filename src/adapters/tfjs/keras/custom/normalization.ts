import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

/**
 * Keras 3's `Normalization` layer, adapted: its mean and variance are weights (with `count`, which Keras keeps for
 * older files and ckpt writes as the int64 Keras stores), not config. Computes as Keras does:
 * (x - mean) / max(sqrt(variance), 1e-7), or with `invert` mean + x · max(sqrt(variance), 1e-7), `mean` and
 * `variance` broadcast over the axes not in `axis`.
 */

/** Keras's `backend.epsilon()`. */
const EPSILON = 1e-7

type Axis = number | ReadonlyArray<number> | null

export class Normalization extends tfl.layers.Layer {
  static readonly className = 'Normalization'
  readonly axis: ReadonlyArray<number>
  readonly invert: boolean
  private mean: tfl.LayerVariable | null = null
  private variance: tfl.LayerVariable | null = null
  private broadcastShape: number[] = []

  constructor(args: { axis?: Axis; invert?: boolean; mean?: null; variance?: null } & Record<string, unknown>) {
    super(args as ConstructorParameters<typeof tfl.layers.Layer>[0])
    if (args.mean != null || args.variance != null) throw new Error('Normalization: mean and variance are weights here, not config')
    const axis = args.axis === undefined ? -1 : args.axis
    this.axis = axis === null ? [] : typeof axis === 'number' ? [axis] : [...axis]
    this.invert = args.invert ?? false
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape
    const keep = this.axis.map((a) => (a < 0 ? a + shape.length : a)).sort((a, b) => a - b)
    const kept = keep.map((d) => {
      const n = shape[d]
      if (n === null || n === undefined) throw new Error(`Normalization '${this.name}': axis ${d} of the input has no known size`)
      return n
    })
    this.broadcastShape = shape.map((n, d) => (keep.includes(d) ? (n as number) : 1))
    this.mean = this.addWeight('mean', kept, 'float32', tfl.initializers.zeros(), undefined, false)
    this.variance = this.addWeight('variance', kept, 'float32', tfl.initializers.ones(), undefined, false)
    this.addWeight('count', [], 'float32', tfl.initializers.zeros(), undefined, false)
    this.built = true
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs
      const mean = tf.reshape((this.mean as tfl.LayerVariable).read(), this.broadcastShape)
      const std = tf.maximum(tf.sqrt(tf.reshape((this.variance as tfl.LayerVariable).read(), this.broadcastShape)), EPSILON)
      return this.invert ? tf.add(mean, tf.mul(x, std)) : tf.div(tf.sub(x, mean), std)
    })
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: [...this.axis], invert: this.invert, mean: null, variance: null }
  }
}
