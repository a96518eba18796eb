import * as E from '#fp-ts/Either.js'
import type { Entry, IndexDoc } from '../checkpointer/index.js'
import { inferDirection, type Direction, type Ranking } from '../policy/index.js'

/**
 * The metric the index's scores came from: the one metric whose value equals the entry's score in every
 * entry that has a score. Null when none or several match, or no entry has a score.
 */
export const monitorOf = (entries: ReadonlyArray<Entry>): string | null => {
  const scored = entries.filter((e) => e.score !== null)
  if (scored.length === 0) return null
  const names = Object.keys(scored[0]!.metrics).filter((k) =>
    scored.every((e) => Object.prototype.hasOwnProperty.call(e.metrics, k) && Object.is(e.metrics[k], e.score)),
  )
  return names.length === 1 ? names[0]! : null
}

/** How "best" is decided, or why it cannot be. */
export type BestRule = { readonly ranking: Ranking; readonly how: string } | { readonly ranking: null; readonly why: string }

/**
 * The ranking that marks "best" (`ls`, `plot`, `report`): the monitor and mode the index records, else `--monitor`
 * (or the metric the scores came from) with `--mode` or the direction its name implies.
 */
export const bestRule = (doc: IndexDoc, monitorFlag: string | undefined, modeFlag: Direction | undefined): BestRule => {
  const entries = doc.checkpoints
  const recorded = doc.ranking
  if (recorded !== undefined && (monitorFlag === undefined || monitorFlag === recorded.monitor)) {
    const ranking = { monitor: recorded.monitor, mode: modeFlag ?? recorded.mode }
    return { ranking, how: `${ranking.monitor} (${ranking.mode}${modeFlag !== undefined ? ', from --mode' : ''})` }
  }
  const monitor = monitorFlag ?? monitorOf(entries)
  if (monitor === null)
    return entries.some((e) => e.score !== null)
      ? { ranking: null, why: 'cannot tell which metric the scores are: pass --monitor NAME (and --mode min|max)' }
      : { ranking: null, why: 'no checkpoint has a monitored value' }
  if (modeFlag !== undefined) return { ranking: { monitor, mode: modeFlag }, how: `${monitor} (${modeFlag}, from --mode)` }
  const inferred = inferDirection(monitor)
  return E.isRight(inferred)
    ? { ranking: { monitor, mode: inferred.right }, how: `${monitor} (${inferred.right})` }
    : { ranking: null, why: `${inferred.left.replace(/pass mode 'min'.*$/, 'pass --mode min or --mode max')}` }
}
