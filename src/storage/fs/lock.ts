/**
 * A per-key mutex: commits (and removes) of one key through one driver run one at a time, so an `ifMatch`
 * compare and its rename cannot interleave with another write of that key in this storage object.
 */
export const keyLocks = () => {
  const tails = new Map<string, Promise<void>>()
  return async <A>(key: string, f: () => Promise<A>): Promise<A> => {
    const before = tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((r) => (release = r))
    const tail = before.then(() => mine)
    tails.set(key, tail)
    await before
    try {
      return await f()
    } finally {
      release()
      if (tails.get(key) === tail) tails.delete(key)
    }
  }
}

export type WithLock = ReturnType<typeof keyLocks>
