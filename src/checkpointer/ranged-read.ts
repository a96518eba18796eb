import { allocate } from '../storage/data.js'
import type { ByteRange, Storage } from '../storage/storage.js'
import { blockCount, blocksTouched, DIGEST_BYTES, sameBytes } from './blocks.js'
import { blockDigester, type BlockHasher } from './hashing/block-hasher.js'
import { mapBounded } from './map-bounded.js'

/*
 * Reads of byte ranges of a file checked block by block: only the blocks the ranges touch are read and hashed.
 * A range of at least one block is read into a buffer of its own (which the caller may keep as a tensor's array);
 * smaller ranges and the bytes around them up to block boundaries are read together and copied out.
 */

/**
 * Most bytes of one read of small ranges and the bytes around them (split at block boundaries above this; a larger
 * block is read whole). READS_IN_FLIGHT of them, beside the tensors, stay well within a restore's N + 256 MiB.
 */
const FILL_BYTES = 16 << 20
/** Reads of one run of blocks in flight at once, and runs at once (for stores with latency, such as S3). */
const READS_IN_FLIGHT = 4
const RUNS_IN_FLIGHT = 4
/** Bytes handed to the hasher and not yet hashed, per run, before reading waits. */
const PENDING_BYTES = 64 << 20

/** Bytes of one read into a scratch buffer, for a storage with `readInto`; and how many such reads run at once, process-wide. */
const SCRATCH_BYTES = 4 << 20
const SCRATCH_COUNT = 8
/** Scratch buffers kept for reuse, and the reads waiting for one. */
const scratch: Uint8Array[] = []
let scratchOut = 0
const scratchWaiting: Array<() => void> = []

/** Runs `f` with a scratch buffer of its own, once one of the SCRATCH_COUNT is free. */
const withScratch = async <A>(f: (buffer: Uint8Array) => Promise<A>): Promise<A> => {
  while (scratchOut >= SCRATCH_COUNT) await new Promise<void>((resolve) => scratchWaiting.push(resolve))
  scratchOut++
  const buffer = scratch.pop() ?? allocate(SCRATCH_BYTES)
  try {
    return await f(buffer)
  } finally {
    scratch.push(buffer)
    scratchOut--
    scratchWaiting.shift()?.()
  }
}

/**
 * Reads `[start, end)` of `key` into a new buffer of its own, through reused scratch buffers: the storage writes
 * into memory it wrote before, and this thread copies into the new buffer. Where touching fresh memory is dear (a
 * VM that backs a guest's pages lazily charges a first write by the kernel and then a first read by the process,
 * apart), fresh memory is then touched once, by the copy, instead of by the kernel's read and again by the hashing.
 */
const readThroughScratch = async (storage: Storage, key: string, start: number, end: number, size: number): Promise<Uint8Array> => {
  const out = allocate(end - start)
  const one = (at: number): Promise<void> =>
    withScratch(async (buffer) => {
      const n = Math.min(SCRATCH_BYTES, end - at)
      const got = await storage.readInto!(key, { start: at, end: at + n }, buffer)
      if (got < n) throw endedEarly(at, got, size)
      out.set(buffer.subarray(0, n), at - start)
    })
  const offsets: number[] = []
  for (let at = start; at < end; at += SCRATCH_BYTES) offsets.push(at)
  await mapBounded(offsets, SCRATCH_COUNT, one)
  return out
}

/** Why a checked read failed: the caller words it as a corrupt checkpoint. */
export class BlockMismatch extends Error {}

/**
 * A read from `start` that got `got` bytes, fewer than asked, of a file the index says has `size`: the file ends
 * there, or (nothing at all came back) somewhere before `start`.
 */
const endedEarly = (start: number, got: number, size: number): BlockMismatch =>
  new BlockMismatch(`ends ${got > 0 ? 'at' : 'at or before'} byte ${start + got}, the index says ${size} bytes (truncated or replaced)`)

interface Wanted {
  readonly index: number
  readonly start: number
  readonly end: number
}

/** Consecutive blocks `[first, last)` touched by `ranges` (sorted, disjoint), at bytes `[start, end)`. */
interface Run {
  readonly first: number
  readonly start: number
  last: number
  end: number
  readonly ranges: Wanted[]
}

/** One storage read of a run: a range read exactly into its own buffer, or bytes to copy ranges out of. */
interface Piece {
  readonly start: number
  readonly end: number
  readonly exact: Wanted | null
}

/** The runs of blocks that `ranges` touch: ranges sharing or bordering a block go into one run. */
const runsOf = (ranges: ReadonlyArray<Wanted>, blockSize: number, size: number): Run[] => {
  const runs: Run[] = []
  for (const r of ranges) {
    if (r.end === r.start) continue
    const t = blocksTouched(r.start, r.end, blockSize, size)
    const last = runs.at(-1)
    if (last !== undefined && t.first <= last.last) {
      last.last = Math.max(last.last, t.last)
      last.end = Math.max(last.end, t.end)
      last.ranges.push(r)
    } else runs.push({ first: t.first, last: t.last, start: t.start, end: t.end, ranges: [r] })
  }
  return runs
}

/** The reads of a run, in order: each range of a block or more on its own, the bytes between in reads of at most FILL_BYTES. */
const piecesOf = (run: Run, blockSize: number): Piece[] => {
  const pieces: Piece[] = []
  const fill = (start: number, end: number) => {
    // Cut at a block boundary past `at` (a piece holds one block at least).
    const most = Math.max(FILL_BYTES, blockSize)
    for (let at = start; at < end;) {
      const to = Math.min(end, Math.floor((at + most) / blockSize) * blockSize)
      pieces.push({ start: at, end: to, exact: null })
      at = to
    }
  }
  let cursor = run.start
  for (const r of run.ranges)
    if (r.end - r.start >= blockSize) {
      fill(cursor, r.start)
      pieces.push({ start: r.start, end: r.end, exact: r })
      cursor = r.end
    }
  fill(cursor, run.end)
  return pieces
}

/** Reads `items` in order with up to `limit` reads in flight, handing each to `use` in order. */
const inOrder = async <A, B>(items: ReadonlyArray<A>, limit: number, read: (a: A) => Promise<B>, use: (a: A, b: B) => Promise<void>) => {
  const started: Promise<B>[] = []
  const start = (i: number) => {
    if (i >= items.length) return
    const p = read(items[i]!)
    p.catch(() => undefined) // observed below, in order; one read ahead that fails must not be unhandled
    started[i] = p
  }
  for (let i = 0; i < Math.min(limit, items.length); i++) start(i)
  for (let i = 0; i < items.length; i++) {
    const b = await started[i]!
    start(i + limit)
    await use(items[i]!, b)
  }
}

/** `bytes` as a buffer of its own (a plain ArrayBuffer of exactly its size), copied only when it is not one already. */
const own = (bytes: Uint8Array): Uint8Array => {
  if (bytes.byteOffset === 0 && bytes.buffer instanceof ArrayBuffer && bytes.buffer.byteLength === bytes.byteLength) return bytes
  const out = allocate(bytes.byteLength)
  out.set(bytes)
  return out
}

/**
 * The bytes of each of `ranges` of the file `key` (`size` bytes, blocks of `blockSize`, block digests `list`), in
 * the order given, each in a buffer of its own, once every block they touch matched its digest. `ranges` must be
 * within the file and must not overlap. Rejects with a `BlockMismatch` when a block does not match or the file
 * ends early; a storage failure rejects as the storage's.
 */
export const readCheckedRanges = async (
  storage: Storage,
  key: string,
  file: { readonly size: number; readonly blockSize: number; readonly list: Uint8Array },
  ranges: ReadonlyArray<ByteRange>,
  hasher: BlockHasher,
): Promise<Uint8Array[]> => {
  const { size, blockSize, list } = file
  if (list.byteLength !== blockCount(size, blockSize) * DIGEST_BYTES) throw new BlockMismatch(`its block list does not fit its size`)
  const out: Uint8Array[] = ranges.map(() => new Uint8Array(0))
  const sorted = ranges.map((r, index) => ({ index, start: r.start, end: r.end })).sort((a, b) => a.start - b.start)
  const runs = runsOf(sorted, blockSize, size)
  // Ranges that reach the last block read the file's end: that it ends there too is checked, by one byte past it
  // (an empty answer, a 416 on S3), as a streamed read does, so that a file appended to is not taken for the one ckpt wrote.
  const pastEnd =
    runs.at(-1)?.end === size
      ? storage.read(key, { start: size, end: size + 1 }).then((past) => {
          if (past.byteLength > 0) throw new BlockMismatch(`has more than ${size} bytes, the index says ${size} (replaced or appended to)`)
        })
      : Promise.resolve()
  pastEnd.catch(() => undefined) // observed below, after the runs; a failure while they run must not be unhandled
  await mapBounded(runs, RUNS_IN_FLIGHT, async (run) => {
    const blocks = blockDigester(hasher, blockSize, PENDING_BYTES)
    const small = run.ranges.filter((r) => r.end - r.start < blockSize)
    for (const r of small) out[r.index] = allocate(r.end - r.start)
    const read = async (p: Piece): Promise<Uint8Array> => {
      if (p.exact !== null && storage.readInto !== undefined) return readThroughScratch(storage, key, p.start, p.end, size)
      const bytes = await storage.read(key, { start: p.start, end: p.end })
      if (bytes.byteLength < p.end - p.start) throw endedEarly(p.start, bytes.byteLength, size)
      return bytes
    }
    await inOrder(piecesOf(run, blockSize), READS_IN_FLIGHT, read, async (p, bytes) => {
      if (p.exact !== null) out[p.exact.index] = own(bytes)
      for (const r of small) {
        const from = Math.max(r.start, p.start)
        const to = Math.min(r.end, p.end)
        if (from < to) out[r.index]!.set(bytes.subarray(from - p.start, to - p.start), from - r.start)
      }
      await blocks.push(bytes)
    })
    const got = (await blocks.finish()).list
    const want = list.subarray(run.first * DIGEST_BYTES, run.last * DIGEST_BYTES)
    if (!sameBytes(got, want)) {
      let i = 0
      while (sameBytes(got.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES), want.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES))) i++
      const b = run.first + i
      throw new BlockMismatch(`fails its checksum in block ${b} (bytes ${b * blockSize} to ${Math.min(size, (b + 1) * blockSize)})`)
    }
  })
  await pastEnd
  return out
}
