import * as E from '#fp-ts/Either.js'
import { concatChunks } from '../storage/data.js'
import { CkptKerasError, type KerasFormatError } from './errors.js'
import { raise } from './failures.js'
import { DTYPE_BYTES } from './h5-format.js'
import { H5Unsupported, readLayout, readRootAttribute } from './h5-read.js'
import { H5Refusal, withH5File, type LoadedH5 } from './h5-session.js'
import { bytesSource, type ByteSource } from './h5-source.js'
import { readWeights } from './h5-walk.js'
import { weightsH5, type H5Bytes } from './h5-write.js'
import type { KerasArray, KerasData, KerasDtype, LazyWeightsFile, WeightsFile } from './weights-file.js'

/**
 * `.weights.h5` files to and from {@link WeightsFile}s. ckpt writes them itself (`h5-write.ts`) and reads the ones
 * laid out as Keras writes them itself (`h5-read.ts`); a file using other HDF5 features is read through `h5wasm`
 * (HDF5 compiled to WebAssembly), an optional peer dependency loaded only then.
 */

/** Keras's rule for `save_weights` paths, reworded for ckpt. */
export const checkWeightsPath = (path: string): void => {
  if (!path.endsWith('.weights.h5'))
    raise({ _tag: 'InvalidPath', path, message: `ckpt/keras: a Keras weights file must end in '.weights.h5'. Received: path='${path}'` })
}

let loaded: Promise<LoadedH5> | null = null

/** Loads h5wasm once; `H5Unavailable` (as a value) when the package is missing. */
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
      message: `ckpt/keras: this weights file uses HDF5 features that ckpt reads through the optional package 'h5wasm' (npm install h5wasm): ${e instanceof Error ? e.message : String(e)}`,
    })
  }
}

/**
 * The HDF5 bytes of `file` (see {@link weightsH5}, which gives them as chunks without copying the data), in one buffer.
 * `attributes` become string attributes of the root group, which Keras does not read (ckpt keeps its entry data there).
 */
export const encodeWeightsH5 = (
  file: WeightsFile,
  attributes: Readonly<Record<string, string>> = {},
): Promise<E.Either<KerasFormatError, Uint8Array>> =>
  Promise.resolve(E.map((h5: H5Bytes) => concatChunks(h5.chunks, h5.size))(weightsH5(file, attributes)))

/** The values of a dataset from its bytes: a view when they are aligned for the dtype, else a copy. */
const arrayOf = (dtype: KerasDtype, bytes: Uint8Array): KerasData => {
  const own = bytes.byteOffset % DTYPE_BYTES[dtype] === 0 ? bytes : new Uint8Array(bytes) // a copy (a Buffer's slice() is a view)
  const n = own.byteLength / DTYPE_BYTES[dtype]
  switch (dtype) {
    case 'float32':
      return new Float32Array(own.buffer, own.byteOffset, n)
    case 'float64':
      return new Float64Array(own.buffer, own.byteOffset, n)
    case 'int32':
      return new Int32Array(own.buffer, own.byteOffset, n)
    case 'int64':
      return new BigInt64Array(own.buffer, own.byteOffset, n)
  }
}

const invalidH5 = (label: string, object: string, message: string): KerasFormatError => ({
  _tag: 'InvalidH5',
  path: label,
  object,
  message: `ckpt/keras: '${label}' is not a Keras weights file ckpt can read: at '${object}': ${message}`,
})

/** Runs a read of ckpt's own HDF5 reader: a refusal is Left, and a file it leaves to HDF5 goes to `viaHdf5`. */
const ownReader = async <A>(
  label: string,
  read: () => Promise<A>,
  viaHdf5: () => Promise<E.Either<KerasFormatError, A>>,
): Promise<E.Either<KerasFormatError, A>> => {
  try {
    return E.right(await read())
  } catch (e) {
    if (e instanceof H5Refusal) return E.left(invalidH5(label, e.object, e.reason))
    if (e instanceof H5Unsupported) return viaHdf5()
    throw e
  }
}

/**
 * The string attribute `name` of the root group of HDF5 `bytes` (see {@link encodeWeightsH5}'s `attributes`),
 * or null when the bytes are not HDF5, cannot be read, or have no such string attribute. Reads no dataset.
 */
export const readH5RootAttribute = async (bytes: Uint8Array, name: string): Promise<string | null> => {
  const value = await ownReader(
    '(file)',
    () => readRootAttribute(bytesSource(bytes), name),
    async () => E.right(await hdf5RootAttribute(bytes, name)),
  )
  return E.isRight(value) ? value.right : null
}

/** {@link readH5RootAttribute} through HDF5 (h5wasm), for files ckpt's reader leaves to it. */
const hdf5RootAttribute = async (bytes: Uint8Array, name: string): Promise<string | null> => {
  const lib = await loadH5()
  if (E.isLeft(lib)) throw new CkptKerasError(lib.left)
  try {
    const value = withH5File(lib.right, bytes, 'root attribute', (f, call) => call('/', () => f.attrs[name]?.value))
    return typeof value === 'string' ? value : null
  } catch {
    return null
  }
}

/**
 * The `vars` groups of an HDF5 weights file in memory, depth first in name order. The arrays are views of `bytes`
 * where their data is aligned for its type (copies otherwise): `bytes` must not change while they are used.
 * Every failure is `InvalidH5` naming the file (`label`), the object in it and what was wrong: bytes that are not
 * HDF5 or are cut short, a structure that does not hold together, a dtype ckpt does not read (anything but
 * float32/64, int32/64, e.g. Keras's bfloat16), a link cycle, groups nested deeper than `MAX_H5_DEPTH`, and
 * datasets whose data is not in the file (external storage, virtual datasets). Files written with HDF5 features
 * Keras does not use are read through h5wasm (`H5Unavailable` without it).
 */
export const decodeWeightsH5 = (bytes: Uint8Array, label: string): Promise<E.Either<KerasFormatError, WeightsFile>> =>
  ownReader(
    label,
    async () => {
      const layout = await readLayout(bytesSource(bytes))
      return mapData(layout, (a) => arrayOf(a.dtype, bytes.subarray(a.data.offset, a.data.offset + a.data.byteLength)))
    },
    () => hdf5Weights(bytes, label),
  )

/** The largest file read through h5wasm, whose heap is at most 2 GiB. */
const MAX_HDF5_BYTES = 2 ** 31 - 2 ** 24

/**
 * The weights file in `source` (a storage key, read in ranges), its values read one dataset at a time when asked
 * for, each into an array of its own (a view of the file for a file in memory): the whole file is never held. Fails
 * as {@link decodeWeightsH5} does; a file left to h5wasm is read whole (at most 2 GiB). Storage failures reject.
 */
export const readWeightsH5 = (source: ByteSource, label: string): Promise<E.Either<KerasFormatError, LazyWeightsFile>> =>
  ownReader(
    label,
    async () => {
      const layout = await readLayout(source)
      return mapData(layout, (a) => async () => arrayOf(a.dtype, await source.readData(a.data.offset, a.data.byteLength)))
    },
    async () => {
      if (source.size > MAX_HDF5_BYTES)
        return E.left(
          invalidH5(
            label,
            '/',
            `the file (${source.size} bytes) uses HDF5 features read through h5wasm, which reads files of at most ${MAX_HDF5_BYTES} bytes`,
          ),
        )
      const file = await hdf5Weights(await source.readData(0, source.size), label)
      return E.map((f: WeightsFile) => mapData(f, (a) => () => Promise.resolve(a.data)))(file)
    },
  )

const mapData = <A, B>(file: WeightsFile<A>, f: (a: KerasArray<A>) => B): WeightsFile<B> => ({
  groups: file.groups.map((g) => ({
    path: g.path,
    name: g.name,
    vars: g.vars.map((a) => ({ dtype: a.dtype, shape: a.shape, data: f(a) })),
  })),
})

/** {@link decodeWeightsH5} through HDF5 itself (h5wasm), with the checks of `readWeights`. */
const hdf5Weights = async (bytes: Uint8Array, label: string): Promise<E.Either<KerasFormatError, WeightsFile>> => {
  const lib = await loadH5()
  if (E.isLeft(lib)) return lib
  try {
    return E.right(withH5File(lib.right, bytes, label, (f, call) => readWeights(lib.right.h5, f, call, bytes.length)))
  } catch (e) {
    return E.left(
      e instanceof H5Refusal ? invalidH5(label, e.object, e.reason) : invalidH5(label, '/', e instanceof Error ? e.message : String(e)),
    )
  }
}
