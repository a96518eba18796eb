import { IO_CALL_BYTES, allocate, clampRange } from '../data.js'
import { fail, ioError, notFound, StorageFailure } from '../errors.js'
import type { ByteRange } from '../storage.js'
import { fileOf, type FsContext } from './context.js'
import { MISSING, fsFailure, hasCode } from './failures.js'
import { statOrNull } from './stats.js'
import { errorCode, type FsFileHandle } from './fs-module.js'

/** A FIFO, socket or device at a key: opening it could block forever (a FIFO waits for a writer), so it is refused. */
const notRegular = (key: string): StorageFailure =>
  new StorageFailure(ioError(key, `key "${key}" is not a regular file (a FIFO, socket or device); it was not opened`, null))

/**
 * Opens the object for reading; a missing key (or a folder) is `NotFound`, any other non-regular file an
 * `IOError`. The stat before the open keeps a planted FIFO from blocking the open; the fstat after it
 * checks the file actually opened.
 */
const openObject = async (ctx: FsContext, key: string): Promise<{ handle: FsFileHandle; size: number }> => {
  const file = fileOf(ctx, key)
  const before = await statOrNull(ctx, key, file)
  if (before === null || before.isDirectory()) return fail(notFound(key))
  if (!before.isFile()) throw notRegular(key)
  let handle: FsFileHandle
  try {
    handle = await ctx.fs.open(file, 'r')
  } catch (e) {
    if (hasCode(MISSING, e) || errorCode(e) === 'EISDIR') fail(notFound(key))
    throw fsFailure(key, 'open for read', e)
  }
  try {
    const st = await handle!.stat({ bigint: true })
    if (st.isDirectory()) fail(notFound(key))
    if (!st.isFile()) throw notRegular(key)
    return { handle: handle!, size: Number(st.size) }
  } catch (e) {
    await handle!.close().catch(() => undefined)
    throw fsFailure(key, 'fstat for read', e)
  }
}

/** Fills `buffer` from `position` on, `IO_CALL_BYTES` at most a call, stopping early only at the end of the file; returns its count. */
const readInto = async (key: string, handle: FsFileHandle, buffer: Uint8Array, position: number): Promise<number> => {
  let filled = 0
  while (filled < buffer.byteLength) {
    let got: number
    try {
      got = (await handle.read(buffer, filled, Math.min(IO_CALL_BYTES, buffer.byteLength - filled), position + filled)).bytesRead
    } catch (e) {
      throw fsFailure(key, 'read', e)
    }
    if (got === 0) break
    filled += got
  }
  return filled
}

/** The bytes of a valid key in `range` (checked), read in one buffer (more than `MAX_READ_BYTES` is `Unsupported`). */
export const readObject = async (ctx: FsContext, key: string, range: ByteRange | undefined): Promise<Uint8Array> => {
  const { handle, size } = await openObject(ctx, key)
  try {
    const { start, end } = clampRange(range, size)
    const buffer = allocate(end - start, key)
    const filled = await readInto(key, handle, buffer, start)
    return filled === buffer.byteLength ? buffer : buffer.subarray(0, filled)
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/** The bytes of a valid key in `range` (checked) into `target`, which holds them; resolves to how many there were. */
export const readObjectInto = async (ctx: FsContext, key: string, range: ByteRange, target: Uint8Array): Promise<number> => {
  const { handle, size } = await openObject(ctx, key)
  try {
    const { start, end } = clampRange(range, size)
    if (target.byteLength < end - start)
      fail(ioError(key, `readInto of key "${key}": the target holds ${target.byteLength} bytes, not ${end - start}`, null))
    return await readInto(key, handle, target.subarray(0, end - start), start)
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/** The object opened now (so a missing key is reported here) and read in `chunkBytes` chunks as it is iterated. */
export const streamObject = async (
  ctx: FsContext,
  key: string,
  range: ByteRange | undefined,
  chunkBytes: number,
): Promise<AsyncIterable<Uint8Array>> => {
  const { handle, size } = await openObject(ctx, key)
  const { start, end } = clampRange(range, size)
  async function* chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for (let at = start; at < end;) {
        const buffer = allocate(Math.min(chunkBytes, end - at))
        const filled = await readInto(key, handle, buffer, at)
        if (filled === 0) return
        yield filled === buffer.byteLength ? buffer : buffer.subarray(0, filled)
        at += filled
      }
    } finally {
      await handle.close().catch(() => undefined)
    }
  }
  return chunks()
}
