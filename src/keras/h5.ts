import * as E from '#fp-ts/Either.js'
import { CkptKerasError, raise, type KerasFormatError } from './errors.js'
import { H5Refusal, scratchName, withH5File, type LoadedH5 } from './h5-session.js'
import { readWeights } from './h5-walk.js'
import type { KerasDtype, VarsGroup, WeightsFile } from './weights-file.js'

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

let loaded: Promise<LoadedH5> | null = null

/** Loads h5wasm once; rejects with `H5Unavailable` (as a value) when the package is missing. */
export const loadH5 = async (): Promise<E.Either<KerasFormatError, LoadedH5>> => {
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
      object: '/',
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
 * or null when the bytes are not HDF5, HDF5 cannot read them, or they have no such string attribute. Reads no dataset.
 */
export const readH5RootAttribute = async (bytes: Uint8Array, name: string): Promise<string | null> => {
  const lib = await loadH5()
  if (E.isLeft(lib)) throw new CkptKerasError(lib.left)
  try {
    const value = withH5File(lib.right, bytes, 'root attribute', (f, call) => call('/', () => f.attrs[name]?.value))
    return typeof value === 'string' ? value : null
  } catch {
    return null
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

/**
 * The `vars` groups of an HDF5 weights file, depth first in key order (see `readWeights` for what is refused).
 * Every failure is `InvalidH5` naming the file (`label`), the object in it and what was wrong: bytes that are
 * not HDF5 or are cut short, any error HDF5 reports while reading, a dtype ckpt does not read (anything but
 * float32/64, int32/64, e.g. Keras's bfloat16), a link cycle, groups nested deeper than `MAX_H5_DEPTH`, and
 * datasets whose data is not in the file (external storage, virtual datasets).
 */
export const decodeWeightsH5 = async (bytes: Uint8Array, label: string): Promise<E.Either<KerasFormatError, WeightsFile>> => {
  const lib = await loadH5()
  if (E.isLeft(lib)) return lib
  const invalid = (object: string, message: string): E.Either<KerasFormatError, WeightsFile> =>
    E.left({
      _tag: 'InvalidH5',
      path: label,
      object,
      message: `ckpt/keras: '${label}' is not a Keras weights file ckpt can read: at '${object}': ${message}`,
    })
  try {
    return E.right(withH5File(lib.right, bytes, label, (f, call) => readWeights(lib.right.h5, f, call, bytes.length)))
  } catch (e) {
    return e instanceof H5Refusal ? invalid(e.object, e.reason) : invalid('/', e instanceof Error ? e.message : String(e))
  }
}
