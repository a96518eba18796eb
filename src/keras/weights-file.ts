/**
 * The content of a Keras 3 `.weights.h5` file, as Keras's `H5IOStore` lays it out: one `vars` group per
 * saveable object (model, layer, RNN cell, optimizer), holding datasets `0`, `1`, … and a `name` attribute
 * (the object's `name`, a UTF-8 variable-length string).
 */

/** The dtypes ckpt reads and writes in Keras weights files. */
export type KerasDtype = 'float32' | 'float64' | 'int32' | 'int64'

/** The values of a dataset, in C order. */
export type KerasData = Float32Array | Float64Array | Int32Array | BigInt64Array

/** One dataset: a C-order array (`D` is its values, or where to find them before they are read). */
export interface KerasArray<D = KerasData> {
  readonly dtype: KerasDtype
  readonly shape: ReadonlyArray<number>
  readonly data: D
}

/** One `<path>/vars` group; `path` is `''` for the top-level `vars` group of the model. */
export interface VarsGroup<D = KerasData> {
  readonly path: string
  readonly name: string | null
  readonly vars: ReadonlyArray<KerasArray<D>>
}

/** A whole weights file: its `vars` groups, in writing order. */
export interface WeightsFile<D = KerasData> {
  readonly groups: ReadonlyArray<VarsGroup<D>>
}

/** A weights file whose values are read when asked for, one dataset at a time. */
export type LazyWeightsFile = WeightsFile<() => Promise<KerasData>>

export const float32 = (shape: ReadonlyArray<number>, data: Float32Array): KerasArray => ({ dtype: 'float32', shape, data })

/** The group at `path`, if the file has it. */
export const groupAt = <D>(file: WeightsFile<D>, path: string): VarsGroup<D> | undefined => file.groups.find((g) => g.path === path)

/** The element count of `shape` (1 for a scalar). */
export const sizeOf = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

/** A weights file in memory as a lazy one (each read gives the array it holds). */
export const lazyOf = (file: WeightsFile): LazyWeightsFile => ({
  groups: file.groups.map((g) => ({ ...g, vars: g.vars.map((a) => ({ ...a, data: () => Promise.resolve(a.data) })) })),
})

/** The group with every dataset read, one after the other. */
export const readGroup = async (g: VarsGroup<() => Promise<KerasData>>): Promise<VarsGroup> => {
  const vars: KerasArray[] = []
  for (const a of g.vars) vars.push({ dtype: a.dtype, shape: a.shape, data: await a.data() })
  return { path: g.path, name: g.name, vars }
}
