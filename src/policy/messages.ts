import * as E from '#fp-ts/Either.js'
import { parseTemplate, type Template } from '../format/index.js'
import { didYouMean } from './nearest-name.js'

let fixed5: Template | null = null

/** Python's `f"{x:.5f}"` (so `inf`, `nan`, and round-half-even on exact ties), via the template engine. */
export const pyFixed5 = (x: number): string => {
  if (fixed5 === null) {
    const t = parseTemplate('{v:.5f}')
    if (E.isLeft(t)) return x.toFixed(5)
    fixed5 = t.right
  }
  const r = fixed5.render({ v: x })
  return E.isRight(r) ? r.right : x.toFixed(5)
}

/** Keras's `best_str`: `None` while unset. */
export const bestString = (best: number | null): string => (best === null ? 'None' : pyFixed5(best))

/** Epochs in messages are 1-based, as Keras prints them; these take the 0-based event epoch. */
export const improvedMessage = (epoch: number, monitor: string, best: number | null, current: number, path: string): string =>
  `Epoch ${epoch + 1}: ${monitor} improved from ${bestString(best)} to ${pyFixed5(current)}, saving model to ${path}`

export const notImprovedMessage = (epoch: number, monitor: string, best: number | null): string =>
  `Epoch ${epoch + 1}: ${monitor} did not improve from ${bestString(best)}`

export const savingMessage = (epoch: number, path: string): string => `Epoch ${epoch + 1}: saving model to ${path}`

/**
 * Keras's line after a save has committed. `epoch` is 0-based (the event's / `Save.epoch`); the line shows it 1-based.
 *
 * @example finishedSavingMessage(0, 'm.keras') // 'Epoch 1: finished saving model to m.keras'
 */
export const finishedSavingMessage = (epoch: number, path: string): string => `Epoch ${epoch + 1}: finished saving model to ${path}`

/** The warning for a missing or NaN monitored value under saveBestOnly (always emitted, whatever `verbose`). */
export const monitorUnavailableWarning = (monitor: string): string => `Can save best model only with ${monitor} available, skipping.`

/**
 * ckpt's line after that warning when the logs of a run's first save opportunity lack the monitor (a misspelt
 * `vall_loss` passes auto mode, then is never found): what the logs hold, and the nearest name.
 *
 * @example
 * monitorMissingNote('vall_loss', ['loss', 'val_loss'])
 * // 'ckpt: the logs hold loss, val_loss; none is named vall_loss; did you mean val_loss?'
 */
export const monitorMissingNote = (monitor: string, keys: ReadonlyArray<string>): string =>
  `ckpt: the logs hold ${keys.length === 0 ? 'no metrics' : keys.join(', ')}; none is named ${monitor}${didYouMean(monitor, keys)}`

/** After the `last` checkpoint of `saveLast` has committed (ckpt's line; Keras has no `last`). `epoch` is 0-based. */
export const finishedSavingLastMessage = (epoch: number, path: string): string =>
  `Epoch ${epoch + 1}: finished saving the last checkpoint to ${path}`
