import type { SimulatedEvent } from '../policy/index.js'

/** One event of a training log and the line it came from (1-based), for error messages. */
export interface LoggedEvent {
  readonly line: number
  readonly event: SimulatedEvent
}

/** A replayable training log. */
export interface TrainingLog {
  /** The file it was read from, as given. */
  readonly source: string
  readonly kind: 'keras-csv' | 'jsonl'
  readonly events: ReadonlyArray<LoggedEvent>
}
