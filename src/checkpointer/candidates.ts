import { bestFirst, type Ranking } from '../policy/index.js'
import { entryRecord, regularEntries } from './entries.js'
import type { Entry } from './index-file.js'

/** `'latest'`, `'best'`, or the path of one checkpoint. */
export type Which = 'latest' | 'best' | (string & {})

/**
 * The checkpoints to try, in order, for a restore of `which` from `entries` (in save order): newest first for
 * `'latest'`; best first by `ranking` for `'best'` (ties to the older, unranked ones left out); the one with that
 * path otherwise. `last` (saveLast) is never ranked: it is the newest for `'latest'` when written last, never `'best'`.
 * The verified read then takes the first that verifies.
 */
export const restoreCandidates = (entries: ReadonlyArray<Entry>, which: Which, ranking: Ranking): Entry[] => {
  if (which === 'latest') return [...entries].reverse()
  if (which === 'best') return bestFirst(ranking, regularEntries(entries), entryRecord)
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.path === which) return [entries[i]!]
  return []
}
