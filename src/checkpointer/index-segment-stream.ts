import { indexOfBytes, lastIndexOfBytes, utf8OrNull } from '#platform/bytes.js'
import { createSha256 } from '#platform/sha256.js'
import { concatChunks } from '../storage/data.js'
import { checkEntries } from './fast-entries.js'
import type { Entry, SegmentRef } from './index-file.js'
import { SEGMENT_END, SEGMENT_HEAD, SEGMENT_LIST, SEGMENT_SEPARATOR, tooDeep, type Segment } from './index-segment.js'

/*
 * A segment in the layout ckpt writes, decoded as its bytes stream in: hashed as they pass, its entries parsed a
 * region of lines at a time. Neither its whole bytes nor its whole text is held: at 100,000 entries those were two
 * fresh 43 MB blocks, and fresh memory (page faults) was most of the cost of opening.
 *
 * It accepts only what `decodeSegment` accepts, as the same value. The document must be `SEGMENT_HEAD`, the drops,
 * `SEGMENT_LIST` and a newline, the entries, then `SEGMENT_END`, and the entries are cut at `SEGMENT_SEPARATOR`s.
 * When every region between cuts is a JSON list of one or more values, the entries are a valid list whose values
 * are the regions' in turn (JSON's grammar is unambiguous), so parsing region by region gives what parsing the
 * whole would. Anything else (another layout, a size or checksum that differs, an entry that fails a check) gives
 * null, and the caller reads the segment whole: `decodeSegment` then says why.
 */

/** Text parsed at once: small enough that it, and its string, stay ordinary short-lived allocations. */
const REGION_BYTES = 64 * 1024

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const SEPARATOR = utf8(SEGMENT_SEPARATOR)
const HEAD = utf8(SEGMENT_HEAD)
const END = utf8(SEGMENT_END)
const NEWLINE = 0x0a

export interface SegmentStream {
  /** Takes the next bytes; false once the segment cannot be decoded here (the rest need not be read). */
  push(chunk: Uint8Array): boolean
  /** After the last byte: the segment, or null when it is not one in ckpt's layout that passes every check. */
  end(): Segment | null
}

/**
 * The values of `bytes` as the items of a JSON list, or null when they are not. `[`, the bytes and `]` are copied
 * into `scratch` (one buffer per segment, reused region after region) to be made text once.
 */
const listItems = (bytes: Uint8Array, scratch: Uint8Array): unknown[] | null => {
  // A region longer than the buffer is one long entry: it gets a buffer of its own.
  const list = bytes.length + 2 <= scratch.length ? scratch.subarray(0, bytes.length + 2) : new Uint8Array(bytes.length + 2)
  list[0] = 0x5b
  list.set(bytes, 1)
  list[bytes.length + 1] = 0x5d
  // The brackets are ASCII: the list is valid UTF-8 exactly when the bytes are.
  const text = utf8OrNull(list)
  if (text === null) return null
  try {
    // One value that starts with `[` and fills the text: a list of exactly the values in `bytes`.
    return JSON.parse(text) as unknown[]
  } catch {
    return null
  }
}

/** The drops of a head line (`SEGMENT_HEAD`, a JSON list of paths, `SEGMENT_LIST`), or null. */
const headDrops = (line: Uint8Array): ReadonlyArray<string> | null => {
  const text = utf8OrNull(line)
  if (text === null || !text.startsWith(SEGMENT_HEAD) || !text.endsWith(SEGMENT_LIST)) return null
  let drops: unknown
  try {
    drops = JSON.parse(text.slice(SEGMENT_HEAD.length, text.length - SEGMENT_LIST.length))
  } catch {
    return null
  }
  return Array.isArray(drops) && drops.every((p) => typeof p === 'string') ? drops : null
}

export const segmentStream = (ref: SegmentRef): SegmentStream => {
  const hash = createSha256()
  let size = 0
  let failed = false
  let drops: ReadonlyArray<string> | null = null
  /** Bytes since the last cut (or of the head line), copied out of their chunks: usually part of one line. */
  let pending: Uint8Array[] = []
  /** Whether a cut was made: then every region, the last too, needs a value (`[a,]` and `[,a]` are not JSON). */
  let cut = false
  const adds: Entry[] = []
  let scratch: Uint8Array | null = null

  const stop = (): false => {
    failed = true
    pending = []
    return false
  }
  /** Checks and keeps the entries of one region. */
  const region = (bytes: Uint8Array, last: boolean): boolean => {
    scratch ??= new Uint8Array(2 * REGION_BYTES)
    const items = listItems(bytes, scratch)
    if (items === null || (items.length === 0 && (cut || !last))) return false
    const entries = checkEntries(items)
    if (typeof entries === 'number' || tooDeep(entries as ReadonlyArray<Entry>) !== null) return false
    for (let i = 0; i < entries.length; i++) adds.push(entries[i] as Entry)
    cut ||= !last
    return true
  }
  /** Entry bytes: regions of about `REGION_BYTES` up to the chunk's last cut; what follows it waits for more. */
  const body = (b: Uint8Array): boolean => {
    let at = 0
    if (pending.length > 0) {
      // The pending bytes and this chunk's up to its first cut. A cut split between two chunks is not taken: the
      // region then holds two lines and their separator, still a list of the same values.
      const end = indexOfBytes(b, SEPARATOR)
      if (end < 0) {
        if (b.length > 0) pending.push(b.slice())
        return true
      }
      pending.push(b.subarray(0, end))
      const bytes = concatChunks(pending)
      pending = []
      if (!region(bytes, false)) return false
      at = end + SEPARATOR.length
    }
    const last = lastIndexOfBytes(b, SEPARATOR)
    if (last >= at) {
      for (let start = at; ;) {
        const end = last - start > REGION_BYTES ? indexOfBytes(b, SEPARATOR, start + REGION_BYTES) : last
        if (!region(b.subarray(start, end), false)) return false
        start = end + SEPARATOR.length
        if (end === last) break
      }
      at = last + SEPARATOR.length
    }
    if (at < b.length) pending.push(b.slice(at)) // a copy: the chunk itself is not kept
    return true
  }

  return {
    push(chunk) {
      if (failed) return false
      const start = size
      size += chunk.byteLength
      if (size > ref.size) return stop()
      hash.update(chunk)
      let b = chunk
      // Another layout is told by its first bytes, before any more of it is read.
      for (let i = start; i < HEAD.length && i < size; i++) if (b[i - start] !== HEAD[i]) return stop()
      if (drops === null) {
        const newline = b.indexOf(NEWLINE)
        if (newline < 0) {
          pending.push(b.slice())
          return true
        }
        pending.push(b.subarray(0, newline))
        drops = headDrops(concatChunks(pending))
        pending = []
        if (drops === null) return stop()
        b = b.subarray(newline + 1)
      }
      return body(b) || stop()
    },
    end() {
      if (failed || drops === null || size !== ref.size || `sha256:${hash.hex()}` !== ref.sha256) return null
      const rest = concatChunks(pending)
      pending = []
      if (rest.length < END.length || indexOfBytes(rest, END, rest.length - END.length) < 0) return null
      if (!region(rest.subarray(0, rest.length - END.length), true)) return null
      return { ref, drops, adds }
    },
  }
}
