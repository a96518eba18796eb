import * as E from '#fp-ts/Either.js'
import { JSON_DEPTH, parseBoundedJson } from '../json/bounded-json.js'
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { inputError, messageOf, type CliError } from './errors.js'

/** Why a path cannot be read, in words (no errno codes alone). */
const why = (e: unknown): string => {
  const code = (e as { code?: string }).code
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EISDIR'
      ? 'it is a folder, not a file'
      : code === 'EACCES'
        ? 'permission denied'
        : messageOf(e)
}

/** The bytes of a file, or an input error naming it and what it was for. */
export const readBytes = async (path: string, what: string): Promise<E.Either<CliError, Uint8Array>> => {
  try {
    const buf = await readFile(path)
    return E.right(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength))
  } catch (e) {
    return E.left(inputError(`cannot read ${what} ${JSON.stringify(path)}: ${why(e)}`))
  }
}

/** A UTF-8 text file, or an input error naming it. */
export const readText = async (path: string, what: string): Promise<E.Either<CliError, string>> => {
  const bytes = await readBytes(path, what)
  if (E.isLeft(bytes)) return bytes
  try {
    return E.right(new TextDecoder('utf-8', { fatal: true }).decode(bytes.right))
  } catch {
    return E.left(inputError(`${what} ${JSON.stringify(path)} is not UTF-8 text`))
  }
}

/** A JSON file, parsed. */
export const readJson = async (path: string, what: string): Promise<E.Either<CliError, unknown>> => {
  const text = await readText(path, what)
  if (E.isLeft(text)) return text
  const json = parseBoundedJson(text.right, JSON_DEPTH.model)
  return E.isLeft(json) ? E.left(inputError(`${what} ${JSON.stringify(path)} is not valid JSON: ${json.left}`)) : json
}

/** 'file', 'dir', or null when nothing is there (or it cannot be stat'ed). */
export const kindOf = async (path: string): Promise<'file' | 'dir' | 'other' | null> => {
  try {
    const s = await stat(path)
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other'
  } catch {
    return null
  }
}

/** The first `n` bytes of a file (fewer if it is shorter); empty when it cannot be read. */
export const readHead = async (path: string, n: number): Promise<Uint8Array> => {
  try {
    const handle = await open(path, 'r')
    try {
      const buf = new Uint8Array(n)
      const { bytesRead } = await handle.read(buf, 0, n, 0)
      return buf.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  } catch {
    return new Uint8Array(0)
  }
}

/**
 * Writes a whole text file: to a temporary file beside it, then renamed over `path`, so `path` is never a partial
 * file. An input error names the path when it cannot be written.
 */
export const writeTextFile = async (path: string, text: string): Promise<E.Either<CliError, void>> => {
  const tmp = `${path}.ckpt-partial-${process.pid}-${Date.now().toString(36)}`
  try {
    await writeFile(tmp, text)
    await rename(tmp, path)
    return E.right(undefined)
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined)
    return E.left(inputError(`cannot write ${JSON.stringify(path)}: ${why(e)}`))
  }
}
