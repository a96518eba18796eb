/**
 * The content of a Keras 3 `.weights.h5` file, as Keras's `H5IOStore` lays it out: one `vars` group per
 * saveable object (model, layer, RNN cell, optimizer), holding datasets `0`, `1`, … and a `name` attribute
 * (the object's `name`, a UTF-8 variable-length string).
 */

/** The dtypes ckpt reads and writes in Keras weights files. */
export type KerasDtype = 'float32' | 'float64' | 'int32' | 'int64'

/** One dataset: a C-order array. */
export interface KerasArray {
  readonly dtype: KerasDtype
  readonly shape: ReadonlyArray<number>
  readonly data: Float32Array | Float64Array | Int32Array | BigInt64Array
}

/** One `<path>/vars` group; `path` is `''` for the top-level `vars` group of the model. */
export interface VarsGroup {
  readonly path: string
  readonly name: string | null
  readonly vars: ReadonlyArray<KerasArray>
}

/** A whole weights file: its `vars` groups, in writing order. */
export interface WeightsFile {
  readonly groups: ReadonlyArray<VarsGroup>
}

export const float32 = (shape: ReadonlyArray<number>, data: Float32Array): KerasArray => ({ dtype: 'float32', shape, data })

/** The group at `path`, if the file has it. */
export const groupAt = (file: WeightsFile, path: string): VarsGroup | undefined => file.groups.find((g) => g.path === path)

/** The element count of `shape` (1 for a scalar). */
export const sizeOf = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)
