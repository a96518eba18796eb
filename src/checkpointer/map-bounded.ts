/**
 * `f` over `items`, at most `limit` at a time, results in the order of `items`. A scan of a folder of 10,000
 * files waits on one file system round trip after another when sequential; a few in flight overlap them,
 * while a bounded number keeps open file handles and memory bounded. The first rejection rejects the whole
 * (the other calls in flight still settle).
 */
export const mapBounded = async <A, B>(items: ReadonlyArray<A>, limit: number, f: (a: A) => Promise<B>): Promise<B[]> => {
  const out: B[] = new Array<B>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i] as A)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** How many files a scan reads at once. */
export const SCAN_CONCURRENCY = 16
