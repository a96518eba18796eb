import { jsonText } from './errors.js'
import { H5Refusal, type H5Call, type LoadedH5 } from './h5-session.js'
import type { KerasArray, KerasDtype, VarsGroup, WeightsFile } from './weights-file.js'

/**
 * The walk over an opened `.weights.h5` file that finds its `vars` groups, with the limits that keep a
 * hostile file from running HDF5 forever or reading a dataset twice.
 */

/**
 * How deep groups may nest. Keras nests two levels per model inside a model (`layers/<model>/layers/<layer>/vars`),
 * so real files stay under about 10; 64 leaves room for 30 nested models. Each level costs h5wasm a lookup of
 * the whole path, so a 3,000-deep chain would take hours; 64 levels take milliseconds.
 */
export const MAX_H5_DEPTH = 64

/** The longest object path a message shows whole; longer ones keep their start and end. */
const SHOWN_PATH = 200

/** `path`, cut in the middle when it is long (a 64-deep path of long names, say). */
export const shownPath = (path: string): string =>
  path.length <= SHOWN_PATH ? path : `${path.slice(0, SHOWN_PATH / 2)}…${path.slice(path.length - SHOWN_PATH / 2)}`

const refuse = (object: string, reason: string): never => {
  throw new H5Refusal(shownPath(object), reason)
}

/**
 * The rule that each object is reached once: called with each object's address (any key) and the path it is
 * reached by, it throws an `H5Refusal` when the address comes again (a link cycle, or one object linked twice).
 */
export const reachedOnce = (): ((address: string | number, path: string, kind: 'group' | 'dataset') => void) => {
  const seen = new Map<string | number, string>()
  return (address, path, kind) => {
    const first = seen.get(address)
    if (first !== undefined)
      refuse(
        path,
        path.startsWith(`${first === '/' ? '' : first}/`)
          ? `the group is '${shownPath(first)}' again: a link back up the tree makes a cycle; ckpt reads groups that form a tree, as Keras writes them`
          : `the ${kind} is '${shownPath(first)}' again: one object linked twice; ckpt reads each object once, as Keras writes them`,
      )
    seen.set(address, path)
  }
}

/** The rule that the datasets declare at most the file's length in all: called with each dataset's bytes, in turn. */
export const declaredData = (fileLength: number): ((at: string, bytes: number) => void) => {
  let declaredBytes = 0
  return (at, bytes) => {
    declaredBytes += bytes
    if (!(declaredBytes <= fileLength))
      refuse(
        at,
        `the datasets declare ${declaredBytes} bytes of data so far, more than the file's ${fileLength} bytes; ckpt reads uncompressed data stored in the file, as Keras writes it`,
      )
  }
}

/** Refuses the group at `at`, nested deeper than {@link MAX_H5_DEPTH}. */
export const tooDeep = (at: string): never =>
  refuse(at, `groups nest more than ${MAX_H5_DEPTH} deep (the limit); Keras files nest a few levels`)

/** Refuses a file without `vars` groups (a listing that ended quietly, say). */
export const noVarsGroup = (): never =>
  refuse('/', "the file has no 'vars' group; Keras writes one for every object it saves, the model's own at '/vars'")

type H5 = LoadedH5['h5']
type H5Group = InstanceType<H5['Group']>
type H5Dataset = InstanceType<H5['Dataset']>

const ONLY_INSIDE = 'ckpt reads only data stored in the file itself, as Keras writes it'

const dtypeOf = (meta: { type: number; size: number; signed?: boolean }): KerasDtype | null => {
  // h5wasm type classes: 0 integer, 1 float
  if (meta.type === 1 && meta.size === 4) return 'float32'
  if (meta.type === 1 && meta.size === 8) return 'float64'
  if (meta.type === 0 && meta.size === 4 && meta.signed) return 'int32'
  if (meta.type === 0 && meta.size === 8 && meta.signed) return 'int64'
  return null
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/**
 * The `vars` groups of `file`, depth first in key order. Throws an `H5Refusal` naming the object when HDF5
 * cannot read it, when groups nest deeper than {@link MAX_H5_DEPTH}, when an object is reached a second time
 * (a link cycle, or one object linked twice), when a dataset's data is not in the file (external storage,
 * virtual) or declares more bytes than `fileLength` in all, or when a `vars` group is not what Keras writes.
 */
export const readWeights = (h5: H5, file: H5Group, call: H5Call, fileLength: number): WeightsFile => {
  const groups: VarsGroup[] = []
  const reached = reachedOnce()
  const declared = declaredData(fileLength)
  const visit = (object: H5Group | H5Dataset, path: string, kind: 'group' | 'dataset'): void =>
    reached(hex(call(path, () => object.create_reference().ref_data)), path, kind)

  const readVars = (vars: H5Group, owner: string): VarsGroup => {
    const name = call(vars.path, () => vars.attrs['name']?.value ?? null)
    const out: KerasArray[] = []
    const keys = call(vars.path, () => vars.keys())
    const present = new Set(keys)
    for (let i = 0; i < keys.length; i++) {
      const at = `${vars.path}/${i}`
      if (!present.has(String(i))) refuse(vars.path, `the group has datasets ${JSON.stringify(keys)}, expected 0…${keys.length - 1}`)
      const ds = call(at, () => vars.get(String(i)))
      if (!(ds instanceof h5.Dataset)) return refuse(at, 'not a dataset')
      visit(ds, at, 'dataset')
      const dtypeAttr = call(at, () => ('dtype' in ds.attrs ? (ds.attrs['dtype']?.json_value ?? null) : undefined))
      if (dtypeAttr !== undefined) refuse(at, `the dataset has dtype ${jsonText(dtypeAttr)} (only float32, float64, int32, int64 are read)`)
      const meta = call(at, () => ds.metadata)
      const sources = meta.virtual_sources
      if (sources !== undefined)
        refuse(
          at,
          `a virtual dataset (its data comes from ${sources.map((s) => `'${s.dset_name}' in '${s.file_name}'`).join(', ')}); ${ONLY_INSIDE}`,
        )
      const dtype = dtypeOf(meta)
      if (dtype === null)
        refuse(at, `the dataset has an HDF5 type ckpt does not read (${JSON.stringify(ds.dtype)}); only float32, float64, int32, int64`)
      declared(at, meta.total_size * meta.size)
      const value = call(
        at,
        () => ds.value,
        (p) => `the dataset keeps its data in another file ('${p}'): external storage; ${ONLY_INSIDE}`,
      )
      out.push(kerasArray(dtype as KerasDtype, meta.shape ?? [], value, at))
    }
    return { path: owner, name: typeof name === 'string' ? name : null, vars: out }
  }

  const walk = (group: H5Group, depth: number): void => {
    for (const key of call(group.path, () => group.keys())) {
      const at = `${group.path === '/' ? '' : group.path}/${key}`
      const child = call(
        at,
        () => group.get(key),
        (p) => `the link points into another file ('${p}'): an external link; ckpt reads only objects inside the file`,
      )
      if (!(child instanceof h5.Group)) continue
      if (depth + 1 > MAX_H5_DEPTH) tooDeep(at)
      visit(child, at, 'group')
      if (key === 'vars') groups.push(readVars(child, group.path.slice(1)))
      else walk(child, depth + 1)
    }
  }

  visit(file, '/', 'group')
  walk(file, 0)
  // A listing HDF5 could not follow (a corrupt symbol table, say) can end quietly with no names.
  if (groups.length === 0) noVarsGroup()
  return { groups }
}

/** The values h5wasm read for one dataset, as a `KerasArray`; refused when the count does not match the shape. */
const kerasArray = (dtype: KerasDtype, shape: ReadonlyArray<number>, value: unknown, at: string): KerasArray => {
  const expected = shape.reduce((a, b) => a * b, 1)
  const values = typeof value === 'number' || typeof value === 'bigint' ? [value] : (value as ArrayLike<number | bigint>)
  if (values.length !== expected) refuse(at, `HDF5 read ${values.length} values for shape ${JSON.stringify(shape)} (${expected})`)
  // h5wasm returns a fresh typed array (a slice of its heap): used as it is, not copied again element by element.
  const data =
    dtype === 'float32'
      ? values instanceof Float32Array
        ? values
        : Float32Array.from(values as ArrayLike<number>)
      : dtype === 'float64'
        ? values instanceof Float64Array
          ? values
          : Float64Array.from(values as ArrayLike<number>)
        : dtype === 'int32'
          ? values instanceof Int32Array
            ? values
            : Int32Array.from(values as ArrayLike<number>)
          : values instanceof BigInt64Array
            ? values
            : BigInt64Array.from(values as ArrayLike<bigint>)
  return { dtype, shape, data }
}
