import * as E from '#fp-ts/Either.js'
import { CkptKerasError, jsonText, raise, type KerasFormatError } from './errors.js'
import type { KerasArray, KerasDtype, VarsGroup, WeightsFile } from './weights-file.js'

/**
 * HDF5 encoding of {@link WeightsFile} through `h5wasm` (HDF5 compiled to WebAssembly), an optional peer
 * dependency loaded on first use. Files live only in h5wasm's in-memory file system, for the duration of one call.
 */

/** Keras's rule for `save_weights` paths, reworded for ckpt. */
export const checkWeightsPath = (path: string): void => {
  if (!path.endsWith('.weights.h5'))
    raise({ _tag: 'InvalidPath', path, message: `ckpt/keras: a Keras weights file must end in '.weights.h5'. Received: path='${path}'` })
}

type H5 = typeof import('h5wasm')
type H5Module = Awaited<H5['ready']>

let loaded: Promise<{ readonly h5: H5['default']; readonly module: H5Module }> | null = null

/** Loads h5wasm once; rejects with `H5Unavailable` (as a value) when the package is missing. */
export const loadH5 = async (): Promise<E.Either<KerasFormatError, { readonly h5: H5['default']; readonly module: H5Module }>> => {
  if (loaded === null) {
    loaded = (async () => {
      const mod = await import('h5wasm')
      const h5 = mod.default
      const module = await h5.ready
      return { h5, module }
    })()
  }
  try {
    return E.right(await loaded)
  } catch (e) {
    loaded = null
    return E.left({
      _tag: 'H5Unavailable',
      message: `ckpt/keras: Keras weights files need the optional package 'h5wasm' (npm install h5wasm): ${e instanceof Error ? e.message : String(e)}`,
    })
  }
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

let counter = 0
const scratchName = (): string => `/ckpt-keras-${process.pid}-${++counter}.h5`

const H5_DTYPE: Readonly<Record<KerasDtype, string>> = { float32: '<f', float64: '<d', int32: '<i', int64: '<q' }

/**
 * The HDF5 bytes of `file`: for each group, `<path>/vars` with a `name` attribute (when not null) and
 * datasets `0`…`n-1`, contiguous, uncompressed, little-endian — what Keras 3's `save_weights` writes.
 * `attributes` become string attributes of the root group, which Keras does not read (ckpt keeps its entry data there).
 */
export const encodeWeightsH5 = async (
  file: WeightsFile,
  attributes: Readonly<Record<string, string>> = {},
): Promise<E.Either<KerasFormatError, Uint8Array>> => {
  const lib = await loadH5()
  if (E.isLeft(lib)) return lib
  const { h5, module } = lib.right
  const fs = module.FS
  const name = scratchName()
  try {
    const f = new h5.File(name, 'w', { libver: ['earliest', 'v114'] })
    try {
      for (const [key, value] of Object.entries(attributes)) f.create_attribute(key, value)
      for (const g of file.groups) writeGroup(h5, f, g)
    } finally {
      f.close()
    }
    return E.right(new Uint8Array(fs.readFile(name)))
  } catch (e) {
    return E.left({
      _tag: 'InvalidH5',
      path: name,
      message: `ckpt/keras: writing HDF5 failed: ${e instanceof Error ? e.message : String(e)}`,
    })
  } finally {
    try {
      fs.unlink(name)
    } catch {
      // not created
    }
  }
}

type H5Group = InstanceType<H5['Group']>

/**
 * The string attribute `name` of the root group of HDF5 `bytes` (see {@link encodeWeightsH5}'s `attributes`),
 * or null when the bytes are not HDF5 or have no such string attribute. Reads no dataset.
 */
export const readH5RootAttribute = async (bytes: Uint8Array, name: string): Promise<string | null> => {
  const lib = await loadH5()
  if (E.isLeft(lib)) throw new CkptKerasError(lib.left)
  const { h5, module } = lib.right
  if (bytes.length < 8 || HDF5_SIGNATURE.some((b, i) => bytes[i] !== b)) return null
  const fs = module.FS
  const scratch = scratchName()
  try {
    fs.writeFile(scratch, bytes)
    const f = new h5.File(scratch, 'r')
    try {
      const value = f.attrs[name]?.value
      return typeof value === 'string' ? value : null
    } finally {
      f.close()
    }
  } catch {
    return null
  } finally {
    try {
      fs.unlink(scratch)
    } catch {
      // not created
    }
  }
}

const writeGroup = (h5: H5['default'], f: H5Group, g: VarsGroup): void => {
  let parent = f
  for (const part of g.path.split('/').filter((p) => p.length > 0)) {
    const existing = parent.get(part)
    parent = existing instanceof h5.Group ? existing : parent.create_group(part)
  }
  const vars = parent.create_group('vars')
  if (g.name !== null) vars.create_attribute('name', g.name)
  g.vars.forEach((v, i) => {
    vars.create_dataset({ name: String(i), data: v.data, shape: [...v.shape], dtype: H5_DTYPE[v.dtype] })
  })
}

const dtypeOf = (meta: { type: number; size: number; signed?: boolean }): KerasDtype | null => {
  // h5wasm type classes: 0 integer, 1 float
  if (meta.type === 1 && meta.size === 4) return 'float32'
  if (meta.type === 1 && meta.size === 8) return 'float64'
  if (meta.type === 0 && meta.size === 4 && meta.signed) return 'int32'
  if (meta.type === 0 && meta.size === 8 && meta.signed) return 'int64'
  return null
}

/**
 * The `vars` groups of an HDF5 weights file, depth first in key order. Left with the dataset's path
 * when a dataset has a dtype ckpt does not read (anything but float32/64, int32/64, e.g. Keras's bfloat16),
 * or when `path` is not HDF5. `label` names the file in messages.
 */
export const decodeWeightsH5 = async (bytes: Uint8Array, label: string): Promise<E.Either<KerasFormatError, WeightsFile>> => {
  const lib = await loadH5()
  if (E.isLeft(lib)) return lib
  const { h5, module } = lib.right
  const fs = module.FS
  const name = scratchName()
  const invalid = (message: string): E.Either<KerasFormatError, WeightsFile> =>
    E.left({ _tag: 'InvalidH5', path: label, message: `ckpt/keras: '${label}' is not a Keras weights file ckpt can read: ${message}` })
  if (bytes.length < 8 || HDF5_SIGNATURE.some((b, i) => bytes[i] !== b)) return invalid('no HDF5 signature at offset 0')
  try {
    fs.writeFile(name, bytes)
    const f = new h5.File(name, 'r')
    try {
      const groups: VarsGroup[] = []
      const walk = (g: H5Group, path: string): string | null => {
        for (const key of g.keys()) {
          const child = g.get(key)
          if (!(child instanceof h5.Group)) continue
          const childPath = path === '' ? key : `${path}/${key}`
          if (key === 'vars') {
            const read = readVars(h5, child, path)
            if (typeof read === 'string') return read
            groups.push(read)
          } else {
            const err = walk(child, childPath)
            if (err !== null) return err
          }
        }
        return null
      }
      const err = walk(f, '')
      if (err !== null) return invalid(err)
      return E.right({ groups })
    } finally {
      f.close()
    }
  } catch (e) {
    return invalid(e instanceof Error ? e.message : String(e))
  } finally {
    try {
      fs.unlink(name)
    } catch {
      // not created
    }
  }
}

/** An attribute's value in a message. */

const readVars = (h5: H5['default'], vars: H5Group, path: string): VarsGroup | string => {
  const nameAttr = vars.attrs['name']
  const nameValue = nameAttr === undefined ? null : nameAttr.value
  const out: KerasArray[] = []
  const keys = vars.keys()
  for (let i = 0; i < keys.length; i++) {
    const dsPath = `${path === '' ? '' : `${path}/`}vars/${i}`
    if (!keys.includes(String(i)))
      return `'${path === '' ? '' : `${path}/`}vars' has datasets ${JSON.stringify(keys)}, expected 0…${keys.length - 1}`
    const ds = vars.get(String(i))
    if (!(ds instanceof h5.Dataset)) return `'${dsPath}' is not a dataset`
    if ('dtype' in ds.attrs)
      return `'${dsPath}' has dtype ${jsonText(ds.attrs['dtype']?.json_value)} (only float32, float64, int32, int64 are read)`
    const dtype = dtypeOf(ds.metadata)
    if (dtype === null)
      return `'${dsPath}' has an HDF5 type ckpt does not read (${JSON.stringify(ds.dtype)}); only float32, float64, int32, int64`
    const shape = ds.shape ?? []
    const value = ds.value
    const data =
      dtype === 'float32'
        ? Float32Array.from(value as Float32Array)
        : dtype === 'float64'
          ? Float64Array.from(value as Float64Array)
          : dtype === 'int32'
            ? Int32Array.from(value as Int32Array)
            : typeof value === 'bigint'
              ? BigInt64Array.of(value)
              : BigInt64Array.from(value as BigInt64Array)
    if (shape.length === 0 && dtype !== 'int64') {
      const scalar = typeof value === 'number' ? [value] : null
      out.push({
        dtype,
        shape,
        data: scalar
          ? dtype === 'float32'
            ? Float32Array.from(scalar)
            : dtype === 'float64'
              ? Float64Array.from(scalar)
              : Int32Array.from(scalar)
          : data,
      })
    } else out.push({ dtype, shape, data })
  }
  return { path, name: typeof nameValue === 'string' ? nameValue : null, vars: out }
}
