import type { Storage } from '../storage/storage.js'

/**
 * `f` over `items`, at most `limit` at a time, results in the order of `items`. A scan of a folder of 10,000
 * files waits on one file system round trip after another when sequential; a few in flight overlap them,
 * while a bounded number keeps open file handles and memory bounded. The first rejection rejects the whole,
 * and no further item is started (the calls in flight still settle): a failed scan does not read on.
 */
export const mapBounded = async <A, B>(items: ReadonlyArray<A>, limit: number, f: (a: A) => Promise<B>): Promise<B[]> => {
  const out: B[] = new Array<B>(items.length)
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++
      try {
        out[i] = await f(items[i] as A)
      } catch (e) {
        failed = true
        throw e
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** How many files a scan reads at once. */
export const SCAN_CONCURRENCY = 16

/**
 * Files up to this size are read {@link SCAN_CONCURRENCY} at a time; larger ones one after another, so a scan
 * holds at most 16 × 256 KiB or one large file (16 checkpoints of gigabytes each would not fit in memory).
 */
export const SCAN_SMALL_FILE_BYTES = 1 << 18

/**
 * `f` over each of `keys` and its whole bytes, results in the order of `keys`, reading within the bounds above:
 * a first read of at most {@link SCAN_SMALL_FILE_BYTES} + 1 bytes gives a small file whole; a larger one is read
 * whole later, alone.
 */
export const mapFiles = async <B>(
  storage: Storage,
  keys: ReadonlyArray<string>,
  f: (key: string, bytes: Uint8Array) => B | Promise<B>,
): Promise<B[]> => {
  const large = Symbol('large')
  const out = await mapBounded(keys, SCAN_CONCURRENCY, async (key): Promise<B | typeof large> => {
    const head = await storage.read(key, { start: 0, end: SCAN_SMALL_FILE_BYTES + 1 })
    return head.byteLength > SCAN_SMALL_FILE_BYTES ? large : f(key, head)
  })
  const results: B[] = []
  for (const [i, r] of out.entries()) {
    const key = keys[i] as string
    results.push(r === large ? await f(key, await storage.read(key)) : r)
  }
  return results
}
