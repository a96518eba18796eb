import * as E from 'fp-ts/lib/Either.js'
import { allOf, anyOf, everySteps, onEpochEnd, type Rule } from '../../src/policy/index.js'

/** State: the monitored value when the rule last fired (plain JSON), or null. */
export interface LastFired {
  readonly value: number | null
}

/**
 * Fires when `monitor` is lower than its value at the last firing by at least `fraction`
 * of that value (a relative improvement, which `whenImproved`'s absolute minDelta cannot say).
 */
export const relativeDrop = (monitor: string, fraction: number): Rule<LastFired> => ({
  name: `relativeDrop(${JSON.stringify(monitor)}, ${fraction})`,
  initial: { value: null },
  problems: fraction > 0 && fraction < 1 ? [] : [`relativeDrop: fraction must be in (0, 1), got ${fraction}`],
  step: (state, event) => {
    const current = event.logs[monitor]
    if (current === undefined || !Number.isFinite(current)) return E.right([state, false])
    const fire = state.value === null || current <= state.value - Math.abs(state.value) * fraction
    return E.right(fire ? [{ value: current }, true] : [state, false])
  },
  decodeState: (u) =>
    typeof u === 'object' && u !== null && 'value' in u && (u.value === null || typeof u.value === 'number')
      ? E.right({ value: u.value })
      : E.left(`expected { value: number | null }, got ${JSON.stringify(u)}`),
})

/** Save every 1000 batches, and at each epoch end where val_loss fell by 1% or more since the last such save. */
export const trigger = anyOf(everySteps(1000), allOf(onEpochEnd(), relativeDrop('val_loss', 0.01)))
