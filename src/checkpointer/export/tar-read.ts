import * as E from '#fp-ts/Either.js'
import { fail } from '../errors.js'
import { invalidArchive } from './archive-errors.js'
import type { ByteSource } from './byte-source.js'
import { decodeHeader, decodePax, MAX_PAX_BYTES, padded, TAR_BLOCK } from './tar-header.js'

/** A regular file member whose header was read; its data comes next in the source. */
export interface TarMember {
  readonly name: string
  readonly size: number
  /** Where its (first) header starts in the archive. */
  readonly offset: number
}

const orFail = <A>(r: E.Either<Parameters<typeof fail>[0], A>): A => (E.isLeft(r) ? fail(r.left) : r.right)

/**
 * The next regular file member's header (a pax extended header before it applied), or null at the end of the
 * archive (two zero blocks). Anything but a regular file or a pax header is refused: links, devices and folders have
 * no place in a checkpoint archive.
 */
export const nextMember = async (source: ByteSource): Promise<TarMember | null> => {
  const start = source.offset
  let pax: ReadonlyMap<string, string> | null = null
  for (;;) {
    const at = source.offset
    const block = await source.exact(TAR_BLOCK, 'a tar header')
    if (block === null)
      return fail(invalidArchive('archive length', `${at} bytes`, 'two zero blocks at the end of the archive', at, 'truncated'))
    const header = orFail(decodeHeader(block, at))
    if (header === null) {
      if (pax !== null) return fail(invalidArchive('pax header', 'the last member', 'a member after a pax header', start))
      const second = await source.exact(TAR_BLOCK, 'the second zero block at the end of the archive')
      if (second === null || second.some((b) => b !== 0))
        return fail(invalidArchive('end of archive', second === null ? 'one zero block' : 'a zero block then data', 'two zero blocks', at))
      return null
    }
    if (header.typeflag === 'x') {
      if (pax !== null) return fail(invalidArchive('pax header', 'two in a row', 'one pax header before a member', at))
      if (header.size > MAX_PAX_BYTES) return fail(invalidArchive('pax header size', header.size, `at most ${MAX_PAX_BYTES} bytes`, at))
      const bytes = await source.exact(padded(header.size), 'a pax header')
      if (bytes === null)
        return fail(invalidArchive('archive length', `${source.offset} bytes`, 'a pax header', source.offset, 'truncated'))
      pax = orFail(decodePax(bytes.subarray(0, header.size), at))
      continue
    }
    if (header.typeflag !== '0' && header.typeflag !== '\0')
      return fail(
        invalidArchive(
          'typeflag',
          header.typeflag,
          '"0" (a regular file) or "x" (a pax header)',
          at,
          `member ${JSON.stringify(header.name)}`,
        ),
      )
    let size = header.size
    const paxSize = pax?.get('size')
    if (paxSize !== undefined) {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(paxSize) || !Number.isSafeInteger(Number(paxSize)))
        return fail(invalidArchive('pax size', paxSize, 'a decimal size below 2^53', start))
      size = Number(paxSize)
    }
    return { name: pax?.get('path') ?? header.name, size, offset: start }
  }
}

/** Reads past the padding that ends a member of `size` bytes. */
export const skipPadding = async (source: ByteSource, size: number): Promise<void> => {
  const pad = padded(size) - size
  if (pad > 0 && (await source.exact(pad, 'the padding of a member')) === null)
    fail(invalidArchive('archive length', `${source.offset} bytes`, `${pad} bytes of padding`, source.offset, 'truncated'))
}
