import type { PolicyState } from '../policy/index.js'

/**
 * The Checkpointer's one save in flight and what follows it: the background commit, the cleanup after the last
 * commit (retention's deletions), the failure of a background save (rethrown once, at the next call), and the
 * best value as of the last committed save (a failed save must not count as the new best).
 */
export interface SaveQueue {
  /** True while a background save has not settled. */
  readonly inFlight: boolean
  /** Rethrows a background save's failure, once. */
  rethrowFailure(): void
  /** Waits for the save in flight and the cleanup, then rethrows a background failure, once. */
  settle(): Promise<void>
  /** Waits for the cleanup after the last commit (one writer of the index at a time). */
  cleanupDone(): Promise<void>
  /** Runs `save` in the background; its failure is kept for {@link rethrowFailure} after `onFailure` ran. */
  background(save: Promise<void>, onFailure: (e: unknown) => void): void
  /** Runs `cleanup` after the commit that just landed; it never rejects (it logs and retries later instead). */
  afterCommit(cleanup: () => Promise<void>): void
  /** The policy's best value as of the last committed save. */
  committedBest: PolicyState['best']
}

export const saveQueue = (committedBest: PolicyState['best']): SaveQueue => {
  let inflight: Promise<void> | null = null
  let cleanup: Promise<void> = Promise.resolve()
  let failure: { readonly error: unknown } | null = null
  const rethrowFailure = () => {
    const f = failure
    if (f !== null) {
      failure = null
      throw f.error
    }
  }
  return {
    get inFlight() {
      return inflight !== null
    },
    rethrowFailure,
    async settle() {
      while (inflight !== null) await inflight
      await cleanup
      rethrowFailure()
    },
    cleanupDone: () => cleanup,
    background(save, onFailure) {
      const p: Promise<void> = save.then(
        () => undefined,
        (error: unknown) => {
          onFailure(error)
          failure = { error }
        },
      )
      inflight = p
      void p.finally(() => {
        if (inflight === p) inflight = null
      })
    },
    afterCommit(run) {
      cleanup = run()
    },
    committedBest,
  }
}
