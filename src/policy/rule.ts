import * as E from '#fp-ts/Either.js'
import type { PolicyError } from './errors.js'
import type { TrainingEvent } from './event.js'

/**
 * A user-composable save trigger: a pure step from (state, event) to (state, fire?).
 * `S` must be plain JSON so it survives a restart through {@link PolicyState}; `decodeState`
 * checks a restored value. `problems` lists invalid construction arguments (checked by
 * `validateRule` and reported by every step, never thrown).
 */
export interface Rule<S> {
  readonly name: string
  readonly initial: S
  readonly step: (state: S, event: TrainingEvent) => E.Either<PolicyError, readonly [S, boolean]>
  readonly decodeState: (u: unknown) => E.Either<string, S>
  readonly problems: ReadonlyArray<string>
}

/**
 * Any rule, whatever its state type. `step` is declared as a method so that its parameter is
 * checked bivariantly: every `Rule<S>` is an `AnyRule`, and the state passed back to `step` is the
 * one this rule produced (`initial`, a previous `step`, or `decodeState`).
 */
export interface AnyRule extends Omit<Rule<unknown>, 'step'> {
  step(state: unknown, event: TrainingEvent): E.Either<PolicyError, readonly [unknown, boolean]>
}
