import { messageOf } from '../errors/ckpt-error.js'
import { globalHeapProblem } from './h5-global-heap.js'
import { sizeOfLengths, superblockProblem } from './h5-superblock.js'

/**
 * One read of an HDF5 file through h5wasm, with HDF5's failures made visible. h5wasm ignores most HDF5
 * return codes (a failed read leaves garbage in the buffer; a failed listing gives no names) and HDF5 only
 * prints its error stack to stderr. Here, for the length of one synchronous read:
 * - HDF5's stderr is captured, not printed: any text there after a call is that call's error;
 * - HDF5 may open only the scratch copy of the file, and only while opening it: an external-storage dataset,
 *   a virtual dataset's source or an external link would make HDF5 open another file (in h5wasm's file
 *   system, `/dev/urandom` for one), which is refused and reported.
 */

type H5 = typeof import('h5wasm')
type H5Module = Awaited<H5['ready']>
type H5File = InstanceType<H5['File']>

/** An h5wasm library loaded by `loadH5`. */
export interface LoadedH5 {
  readonly h5: H5['default']
  readonly module: H5Module
}

/** Why HDF5 could not read the object at `object` (an HDF5 path, `/` for the file itself); caught inside ckpt/keras. */
export class H5Refusal extends Error {
  constructor(
    readonly object: string,
    readonly reason: string,
  ) {
    super(reason)
  }
}

/**
 * Runs one h5wasm call that reads `object`. Throws an `H5Refusal` naming `object` when HDF5 reports an
 * error, h5wasm throws, or HDF5 tries to open another file (`otherFile` words that for the call's context).
 */
export type H5Call = <A>(object: string, run: () => A, otherFile?: (path: string) => string) => A

/** The parts of Emscripten's file system the session touches (h5wasm's `Module.FS`). */
interface SessionFs {
  open: (path: string, ...rest: unknown[]) => unknown
  getStream?: (fd: number) => { stream_ops: StreamOps } | null | undefined
  writeFile: (path: string, data: Uint8Array) => void
  truncate: (path: string, length: number) => void
  unlink: (path: string) => void
}
interface StreamOps {
  readonly write: (stream: unknown, buffer: Uint8Array, offset: number, length: number, position?: number) => number
}

/** Emscripten's EACCES: the syscall layer turns an error named `ErrnoError` into a failed `open()`. */
const EACCES = 2
const refusedOpen = (): Error => Object.assign(new Error('ckpt: HDF5 may not open another file'), { name: 'ErrnoError', errno: EACCES })

let counter = 0
/** Random per module instance: h5wasm's file system is per instance, this tells the instances' files apart in messages too. */
const INSTANCE = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, '0')).join('')
/** A fresh scratch path in h5wasm's in-memory file system. */
export const scratchName = (): string => `/ckpt-keras-${INSTANCE}-${++counter}.h5`

const MAX_REASON = 400

/** HDF5's error stack, in one line: the innermost error (the most specific) and the API call that failed. */
export const hdf5Reason = (stack: string, scratch: string, label: string): string => {
  const frames = [...stack.matchAll(/#\d+: .* in (\w+)\(\): (.*)/g)].map((m) => ({ fn: m[1] ?? '', what: (m[2] ?? '').trim() }))
  const first = frames[0]
  const last = frames[frames.length - 1]
  const text =
    first === undefined || last === undefined
      ? stack.trim().split('\n').slice(-3).join(' ')
      : first === last
        ? `${last.what} (in ${first.fn})`
        : `${last.what} (in ${last.fn}, called from ${first.fn}: ${first.what})`
  const named = text.split(scratch).join(label)
  return `HDF5 reported: ${named.length > MAX_REASON ? `${named.slice(0, MAX_REASON)}…` : named}`
}

/**
 * Opens `bytes` with h5wasm (read-only, in a scratch file) and runs `read` on the file, every HDF5 call
 * guarded as described above, after the checks HDF5 lacks (a truncated file, a global heap it would loop on).
 * The file is closed and removed after. Throws an `H5Refusal` when HDF5 cannot open or read the file.
 */
export const withH5File = <A>(lib: LoadedH5, bytes: Uint8Array, label: string, read: (file: H5File, call: H5Call) => A): A => {
  const problem = superblockProblem(bytes) ?? globalHeapProblem(bytes, sizeOfLengths(bytes))
  if (problem !== null) throw new H5Refusal('/', problem)
  const fs = lib.module.FS as unknown as SessionFs
  const scratch = scratchName()
  const stderr = fs.getStream?.(2) ?? null
  const printing = stderr?.stream_ops ?? null
  let printed = ''
  const decoder = new TextDecoder()
  const open = fs.open
  let opening = true
  const refused: string[] = []
  if (stderr !== null && printing !== null)
    stderr.stream_ops = {
      ...printing,
      write: (_s, buffer, offset, length) => {
        if (printed.length < 100_000) printed += decoder.decode(buffer.subarray(offset, offset + length))
        return length
      },
    }
  fs.open = function (this: unknown, path: string, ...rest: unknown[]) {
    if (!(opening && path === scratch)) {
      refused.push(String(path).replace(/\/+/g, '/'))
      throw refusedOpen()
    }
    return open.call(this, path, ...rest)
  }
  const call: H5Call = <B>(object: string, run: () => B, otherFile = (p: string) => `HDF5 tried to open another file ('${p}')`): B => {
    printed = ''
    refused.length = 0
    let result: B | undefined
    let thrown: unknown = null
    try {
      result = run()
    } catch (e) {
      thrown = e
    }
    const other = refused[0]
    if (other !== undefined) throw new H5Refusal(object, otherFile(other))
    if (printed !== '') throw new H5Refusal(object, hdf5Reason(printed, scratch, label))
    if (thrown instanceof H5Refusal) throw thrown
    if (thrown !== null) throw new H5Refusal(object, `h5wasm failed: ${messageOf(thrown)}`)
    return result as B
  }
  try {
    fs.writeFile(scratch, bytes)
    const file = call('/', () => new lib.h5.File(scratch, 'r'))
    opening = false
    try {
      return read(file, call)
    } finally {
      try {
        file.close()
      } catch {
        // closing after an error: what HDF5 says here changes nothing
      }
    }
  } finally {
    fs.open = open
    if (stderr !== null && printing !== null) stderr.stream_ops = printing
    // Emptied first: if HDF5 kept a handle open after an error, the unlinked file would keep its bytes.
    for (const cleanup of [() => fs.truncate(scratch, 0), () => fs.unlink(scratch)])
      try {
        cleanup()
      } catch {
        // not created
      }
  }
}
