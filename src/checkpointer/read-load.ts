import type { Storage } from '../storage/storage.js'
import type { Entry } from './index-file.js'

/** The read side (read-code.ts), imported at its first use (a lazily loaded chunk in a browser bundle). */
export type ReadCode = typeof import('./read-code.js')

export const readCode = (): Promise<ReadCode> => import('./read-code.js')

/** Checks every file of an entry; resolves to the problem, or null when all verify. Rejects on a storage failure. */
export const verifyEntry = async (storage: Storage, entry: Entry): Promise<string | null> => (await readCode()).verifyEntry(storage, entry)
