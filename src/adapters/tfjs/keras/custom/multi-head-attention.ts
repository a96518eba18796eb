import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

/**
 * Keras 3's `MultiHeadAttention` on 3-D inputs (attention over axis 1), called on (query, value[, key]). Its
 * weights are Keras's four EinsumDense layers' (query, key, value: kernel [dim, heads, key_dim] and bias
 * [heads, key_dim]; attention_output: kernel [heads, value_dim, out] and bias [out]), named here
 * `query_kernel`, `query_bias`… so that each layer weight keeps a distinct last name part. Computes as Keras:
 * softmax(q·kᵀ / sqrt(key_dim)) · v per head, with dropout on the scores in training.
 */

type InitJson = { className: string; config: tf.serialization.ConfigDict } | null | undefined
type Init = ReturnType<typeof tfl.initializers.zeros>

/** A tfjs initializer from its JSON (`{className, config}`), or `fallback`. */
const initializer = (v: InitJson, fallback: () => Init): Init => {
  if (v === null || v === undefined) return fallback()
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[v.className]
  if (entry === undefined) throw new Error(`MultiHeadAttention: unknown initializer ${v.className}`)
  const [cls, fromConfig] = entry
  return fromConfig(cls, v.config) as unknown as Init
}
const json = (i: Init): tf.serialization.ConfigDict => ({ className: i.getClassName(), config: i.getConfig() })

export interface MultiHeadAttentionArgs extends Record<string, unknown> {
  numHeads: number
  keyDim: number
  valueDim?: number | null
  dropout?: number
  useBias?: boolean
  outputShape?: number | ReadonlyArray<number> | null
  attentionAxes?: ReadonlyArray<number> | null
  kernelInitializer?: InitJson
  biasInitializer?: InitJson
}

const PARTS = ['query', 'key', 'value', 'attention_output'] as const

export class MultiHeadAttention extends tfl.layers.Layer {
  static readonly className = 'MultiHeadAttention'
  readonly numHeads: number
  readonly keyDim: number
  readonly valueDim: number
  readonly rate: number
  readonly useBias: boolean
  readonly outputDim: number | null
  private readonly kernelInit: Init
  private readonly biasInit: Init
  private vars: Partial<Record<string, tfl.LayerVariable>> = {}

  constructor(args: MultiHeadAttentionArgs) {
    super(args as ConstructorParameters<typeof tfl.layers.Layer>[0])
    this.numHeads = args.numHeads
    this.keyDim = args.keyDim
    this.valueDim = args.valueDim ?? args.keyDim
    this.rate = args.dropout ?? 0
    this.useBias = args.useBias ?? true
    const out = args.outputShape
    this.outputDim = out === null || out === undefined ? null : typeof out === 'number' ? out : (out[0] as number)
    if (Array.isArray(out) && out.length !== 1) throw new Error('MultiHeadAttention: output_shape must be one number')
    const axes = args.attentionAxes
    if (axes != null && !(axes.length === 1 && (axes[0] === 1 || axes[0] === -2)))
      throw new Error('MultiHeadAttention: attention over axis 1 of 3-D inputs only')
    this.kernelInit = initializer(args.kernelInitializer, () => tfl.initializers.glorotUniform({}))
    this.biasInit = initializer(args.biasInitializer, () => tfl.initializers.zeros())
  }

  private shapes(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape[] {
    const shapes = inputShape as tfl.Shape[]
    if (!Array.isArray(shapes[0]) || shapes.length < 2 || shapes.length > 3)
      throw new Error('MultiHeadAttention: call it on [query, value] or [query, value, key]')
    return shapes
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [q, v, k = v] = this.shapes(inputShape) as [tfl.Shape, tfl.Shape, tfl.Shape?]
    const dim = (s: tfl.Shape): number => s[s.length - 1] as number
    const h = this.numHeads
    const out = this.outputDim ?? dim(q)
    const add = (name: string, shape: number[], init: Init): void => {
      this.vars[name] = this.addWeight(name, shape, 'float32', init, undefined, true)
    }
    const dense: Record<(typeof PARTS)[number], [number[], number[]]> = {
      query: [
        [dim(q), h, this.keyDim],
        [h, this.keyDim],
      ],
      key: [
        [dim(k), h, this.keyDim],
        [h, this.keyDim],
      ],
      value: [
        [dim(v), h, this.valueDim],
        [h, this.valueDim],
      ],
      attention_output: [[h, this.valueDim, out], [out]],
    }
    for (const p of PARTS) {
      add(`${p}_kernel`, dense[p][0], this.kernelInit)
      if (this.useBias) add(`${p}_bias`, dense[p][1], this.biasInit)
    }
    this.built = true
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const q = this.shapes(inputShape)[0] as tfl.Shape
    return [...q.slice(0, -1), this.outputDim ?? (q[q.length - 1] as number)]
  }

  /** x [B, T, d] through a kernel [d, …rest] (+ bias [...rest]): [B, T, …rest]. */
  private project(x: tf.Tensor, part: string): tf.Tensor {
    const kernel = (this.vars[`${part}_kernel`] as tfl.LayerVariable).read()
    const [b, t, d] = x.shape as [number, number, number]
    const rest = kernel.shape.slice(part === 'attention_output' ? 2 : 1)
    const width = rest.reduce((a, n) => a * n, 1)
    let y = tf.matMul(tf.reshape(x, [b * t, d]), tf.reshape(kernel, [d, width]))
    const bias = this.vars[`${part}_bias`]
    if (bias !== undefined) y = tf.add(y, tf.reshape(bias.read(), [width]))
    return tf.reshape(y, [b, t, ...rest])
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const [qIn, vIn, kIn = vIn] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor?]
      const q = tf.mul(this.project(qIn, 'query'), 1 / Math.sqrt(this.keyDim)) // [B, T, H, Dk]
      const k = this.project(kIn, 'key') // [B, S, H, Dk]
      const v = this.project(vIn, 'value') // [B, S, H, Dv]
      // [B, H, T, S]
      let scores = tf.softmax(tf.matMul(tf.transpose(q, [0, 2, 1, 3]), tf.transpose(k, [0, 2, 3, 1])))
      if (kwargs['training'] === true && this.rate > 0) scores = tf.dropout(scores, this.rate)
      const heads = tf.transpose(tf.matMul(scores, tf.transpose(v, [0, 2, 1, 3])), [0, 2, 1, 3]) // [B, T, H, Dv]
      const [b, t] = heads.shape as [number, number]
      return this.project(tf.reshape(heads, [b, t, this.numHeads * this.valueDim]), 'attention_output')
    })
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.rate,
      useBias: this.useBias,
      outputShape: this.outputDim,
      attentionAxes: [1],
      kernelInitializer: json(this.kernelInit),
      biasInitializer: json(this.biasInit),
    }
  }
}
