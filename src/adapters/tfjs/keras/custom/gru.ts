import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'

/**
 * tfjs 4.22's GRU with Keras's `reset_after=True` (Keras 3's default; tfjs computes reset_after=False only): the
 * cell has two biases, `bias` of shape [2, 3·units] (input, recurrent), and applies the reset gate after the
 * recurrent kernel: hh = act(x_h + r · (h·U_h + b_rh)). Registered under tfjs's name `GRU` (register.ts): with
 * reset_after false it is tfjs's GRU. Dropout is not provided with reset_after (refused at construction).
 */

type Ctor = new (args: Record<string, unknown>) => tfl.layers.Layer
const registered = (name: string): Ctor => {
  const cls = tf.serialization.SerializationMap.getMap().classNameMap[name]?.[0] as unknown as Ctor | undefined
  if (cls === undefined) throw new Error(`tfjs has no class ${name}`)
  return cls
}

type Init = ReturnType<typeof tfl.initializers.zeros>

interface CellFields {
  units: number
  useBias: boolean
  activation: { apply(x: tf.Tensor): tf.Tensor }
  recurrentActivation: { apply(x: tf.Tensor): tf.Tensor }
  kernelInitializer: Init
  recurrentInitializer: Init
  biasInitializer: Init
  kernel: tfl.LayerVariable
  recurrentKernel: tfl.LayerVariable
  bias: tfl.LayerVariable | null
  addWeight(name: string, shape: number[], dtype: null, init: Init, reg: undefined, trainable: boolean): tfl.LayerVariable
}

/** The GRU layer class to register as `GRU`. */
export const resetAfterGru = (): Ctor => {
  const GRUCell = registered('GRUCell')
  const GRU = registered('GRU')

  class ResetAfterGRUCell extends GRUCell {
    constructor(args: Record<string, unknown>) {
      if ((Number(args['dropout'] ?? 0) || Number(args['recurrentDropout'] ?? 0)) > 0)
        throw new Error('GRU with resetAfter: dropout and recurrentDropout are not provided (ckpt)')
      super({ ...args, resetAfter: false })
    }
    override build(inputShape: tfl.Shape | tfl.Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape
      const self = this as unknown as CellFields
      const n = self.units * 3
      self.kernel = self.addWeight('kernel', [shape[shape.length - 1] as number, n], null, self.kernelInitializer, undefined, true)
      self.recurrentKernel = self.addWeight('recurrent_kernel', [self.units, n], null, self.recurrentInitializer, undefined, true)
      self.bias = self.useBias ? self.addWeight('bias', [2, n], null, self.biasInitializer, undefined, true) : null
      this.built = true
    }
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
      return tf.tidy(() => {
        const [x, h] = inputs as [tf.Tensor, tf.Tensor]
        const self = this as unknown as CellFields
        let matrixX = tf.matMul(x, self.kernel.read())
        let inner = tf.matMul(h, self.recurrentKernel.read())
        if (self.bias !== null) {
          const [inputBias, recurrentBias] = tf.unstack(self.bias.read())
          matrixX = tf.add(matrixX, inputBias as tf.Tensor)
          inner = tf.add(inner, recurrentBias as tf.Tensor)
        }
        const [xZ, xR, xH] = tf.split(matrixX, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor]
        const [rZ, rR, rH] = tf.split(inner, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor]
        const z = self.recurrentActivation.apply(tf.add(xZ, rZ))
        const r = self.recurrentActivation.apply(tf.add(xR, rR))
        const hh = self.activation.apply(tf.add(xH, tf.mul(r, rH)))
        const out = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh))
        return [out, out]
      })
    }
    override getConfig(): tf.serialization.ConfigDict {
      return { ...super.getConfig(), resetAfter: true }
    }
  }

  class ResetAfterGRU extends GRU {
    static readonly className = 'GRU'
    constructor(args: Record<string, unknown>) {
      super({ ...args, resetAfter: false })
      if (args['resetAfter'] === true) (this as unknown as { cell: tfl.layers.Layer }).cell = new ResetAfterGRUCell(args)
    }
  }
  return ResetAfterGRU
}
