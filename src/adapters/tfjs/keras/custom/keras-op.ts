import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

/**
 * A Keras 3 operation node of a Functional graph (`x + 3.0` is `keras.src.ops.numpy.Add` called on `x` and 3.0),
 * as a weightless tfjs layer. `op` is the operation (tfjs JSON: `add`, `subtract`, `multiply`, `true_divide`,
 * `divide`); `constants` holds one entry per positional argument: the number, or null where a tensor goes (in
 * the order of the layer's inputs).
 */

const OPS: Readonly<Record<string, (a: tf.Tensor | number, b: tf.Tensor | number) => tf.Tensor>> = {
  add: tf.add,
  subtract: tf.sub,
  multiply: tf.mul,
  trueDivide: tf.div,
  divide: tf.div,
}

type Shape = ReadonlyArray<number | null>

/** NumPy broadcasting of two shapes (an unknown dimension stays unknown unless the other is more than 1). */
const broadcast = (a: Shape, b: Shape): Array<number | null> => {
  const n = Math.max(a.length, b.length)
  const out: Array<number | null> = []
  for (let i = 0; i < n; i++) {
    // a missing leading dimension is 1; null (unknown, as the batch) stays null
    const x = i < n - a.length ? 1 : (a[a.length - n + i] as number | null)
    const y = i < n - b.length ? 1 : (b[b.length - n + i] as number | null)
    out.push(x === 1 ? y : y === 1 ? x : x === null ? y : x)
  }
  return out
}

export class KerasOp extends tfl.layers.Layer {
  static readonly className = 'KerasOp'
  readonly op: string
  readonly constants: ReadonlyArray<number | null>

  constructor(args: { op: string; constants: ReadonlyArray<number | null> } & Record<string, unknown>) {
    super(args as ConstructorParameters<typeof tfl.layers.Layer>[0])
    if (!Object.prototype.hasOwnProperty.call(OPS, args.op)) throw new Error(`KerasOp: unknown op '${args.op}'`)
    this.op = args.op
    this.constants = args.constants
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as tfl.Shape[]
    return shapes.reduce<tfl.Shape>((a, b) => broadcast(a, b), shapes[0] as tfl.Shape)
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const tensors = Array.isArray(inputs) ? [...inputs] : [inputs]
    const args = this.constants.map((c) => (c === null ? (tensors.shift() as tf.Tensor) : c))
    const f = OPS[this.op] as (a: tf.Tensor | number, b: tf.Tensor | number) => tf.Tensor
    return tf.tidy(() => args.slice(1).reduce<tf.Tensor | number>((acc, x) => f(acc, x), args[0] as tf.Tensor | number) as tf.Tensor)
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), op: this.op, constants: [...this.constants] }
  }
}
