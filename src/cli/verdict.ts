import { checkpointFiles } from '../checkpointer/blocks.js'
import { verifyEntry, type Entry } from '../checkpointer/index.js'
import type { Storage } from '../storage/storage.js'
import { messageOf } from './errors.js'

/** What `verify` found for one checkpoint: OK, or corrupt and why (a file that is missing or unreadable counts). */
export interface Verdict {
  readonly path: string
  readonly ok: boolean
  readonly files: number
  readonly size: number
  readonly reason: string | null
}

/** Checks every file of `entry` against the size and checksums the index recorded (`verifyEntry`). Never rejects. */
export const verdictOf = async (storage: Storage, entry: Entry): Promise<Verdict> => {
  let reason: string | null
  try {
    reason = await verifyEntry(storage, entry)
  } catch (e) {
    reason = messageOf(e)
  }
  const files = checkpointFiles(entry.files)
  return { path: entry.path, ok: reason === null, files: files.length, size: files.reduce((n, f) => n + f.size, 0), reason }
}
