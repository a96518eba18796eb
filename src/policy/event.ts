import * as E from '#fp-ts/Either.js'
import { invalidEvent, type PolicyError } from './errors.js'

/**
 * One training event: the end of an epoch or of a batch, with that moment's logs.
 * `epoch` and `batch` are 0-based, as in Keras and tfjs callbacks. `time` (ms since the Unix epoch)
 * feeds time-based rules and retention; the policy never reads a clock itself.
 */
export interface TrainingEvent {
  readonly kind: 'epoch' | 'batch'
  readonly epoch: number
  /** Present on batch events. */
  readonly batch?: number
  readonly logs: Readonly<Record<string, number>>
  readonly time?: number
}

const isIndex = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

/** Checks the shape the reducer relies on; it does not copy the event. */
export const validateEvent = (event: TrainingEvent): E.Either<PolicyError, TrainingEvent> => {
  if (event === null || typeof event !== 'object') return E.left(invalidEvent('(event)', event, 'an object'))
  if (event.kind !== 'epoch' && event.kind !== 'batch') return E.left(invalidEvent('kind', event.kind, "'epoch' or 'batch'"))
  if (!isIndex(event.epoch)) return E.left(invalidEvent('epoch', event.epoch, 'a 0-based integer epoch index'))
  if (event.kind === 'batch' && !isIndex(event.batch))
    return E.left(invalidEvent('batch', event.batch, 'a 0-based integer batch index on a batch event'))
  if (event.time !== undefined && !(typeof event.time === 'number' && Number.isFinite(event.time)))
    return E.left(invalidEvent('time', event.time, 'a finite number of milliseconds since the Unix epoch'))
  const logs = event.logs
  if (logs === null || typeof logs !== 'object' || Array.isArray(logs))
    return E.left(invalidEvent('logs', logs, 'an object of metric name to number'))
  for (const key in logs) {
    const v = logs[key]
    if (typeof v !== 'number') return E.left(invalidEvent(`logs.${key}`, v, 'a number'))
  }
  return E.right(event)
}
