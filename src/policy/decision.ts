import type { TemplateRenderError } from './errors.js'

/**
 * The outcome of one step. `messages` are Keras's verbose lines (empty when `verbose` is 0);
 * `warnings` are emitted whatever `verbose` is, as Keras's `warnings.warn`.
 */
export type Decision = Save | Skip

export interface Save {
  readonly _tag: 'Save'
  /** The rendered filename. */
  readonly path: string
  readonly messages: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<string>
  readonly kind: 'epoch' | 'batch'
  /** 0-based, as in the event. */
  readonly epoch: number
  /** 0-based batch index on batch events, else null. */
  readonly batch: number | null
  /** Training batches counted so far (Keras's counting rule, never reset); 0 if no batch events were fed. */
  readonly step: number
  /** The event's logs. */
  readonly metrics: Readonly<Record<string, number>>
  /** The monitored value, or null when the logs lack it. */
  readonly score: number | null
  /** The event's time, or null. */
  readonly time: number | null
  /** With `saveLast`: the save of the `last` checkpoint this event also makes (same event data, its own path). */
  readonly last?: Save
}

export interface Skip {
  readonly _tag: 'Skip'
  readonly messages: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<string>
  /** With `saveLast`, at a save opportunity whose regular save is skipped: the save of the `last` checkpoint. */
  readonly last?: Save
  /**
   * With the reducer's `keepGoing`: the save opportunity's filename could not be rendered (Keras raises there, and
   * training stops). Nothing is saved, `last` neither.
   */
  readonly failed?: TemplateRenderError
}

const none: ReadonlyArray<string> = Object.freeze([])

/** A silent skip: the common case, shared to avoid allocating. */
export const silentSkip: Skip = Object.freeze({ _tag: 'Skip', messages: none, warnings: none })

export const skip = (messages: ReadonlyArray<string>, warnings: ReadonlyArray<string> = none, last?: Save): Skip =>
  last !== undefined
    ? { _tag: 'Skip', messages, warnings, last }
    : messages.length === 0 && warnings.length === 0
      ? silentSkip
      : { _tag: 'Skip', messages, warnings }

export const isSave = (d: Decision): d is Save => d._tag === 'Save'
