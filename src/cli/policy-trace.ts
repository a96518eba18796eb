import * as E from '#fp-ts/Either.js'
import { fromJsonFloat, initialPolicyState, policyReducer, type PolicyConfig, type SimulatedEvent } from '../policy/index.js'

/** What the policy knew at one event of a replay. */
export interface TracedEvent {
  /** A save opportunity: an epoch end with saveFreq 'epoch', or the batch end where an integer saveFreq came round. */
  readonly candidate: boolean
  /** The best monitored value before the event (null while unset), as the save-best-only comparison used it. */
  readonly bestBefore: number | null
}

/**
 * Runs the policy's own reducer over `events` and reads its state around each: whether the event was a save
 * opportunity and the best value it was compared with. (The decisions themselves are `simulate`'s.) Goes on past a
 * filename that cannot be rendered, as `simulate`'s `keepGoing` does; stops at any other event the policy cannot
 * decide (`simulate` reports that one).
 */
export const tracePolicy = (config: PolicyConfig, events: ReadonlyArray<SimulatedEvent>): ReadonlyArray<TracedEvent> => {
  const step = policyReducer(config, { keepGoing: true })
  let state = initialPolicyState(config)
  const out: TracedEvent[] = []
  for (const ev of events) {
    const kind = ev.batch === undefined ? ('epoch' as const) : ('batch' as const)
    const r = step(state, { kind, epoch: ev.epoch, ...(ev.batch === undefined ? {} : { batch: ev.batch }), logs: ev.logs })
    if (E.isLeft(r)) break
    const next = r.right[0]
    // An integer saveFreq restarts its batch count exactly when it comes round.
    const candidate = config.saveFreq === 'epoch' ? kind === 'epoch' : kind === 'batch' && next.batchesSinceSave === 0
    out.push({ candidate, bestBefore: state.best === null ? null : fromJsonFloat(state.best) })
    state = next
  }
  return out
}
