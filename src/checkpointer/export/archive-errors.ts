/**
 * What an import refuses, as values (docs/checkpointer.md, "Export and import"). An archive is input: each error
 * names the field, the value found and what is accepted, and where in the archive (a byte offset) it was found.
 */
export type ArchiveError =
  | {
      readonly _tag: 'InvalidArchive'
      /** What was wrong: `member name`, `member size`, `header checksum`, `typeflag`, `checksum`, `archive length`… */
      readonly field: string
      /** The value found, shortened for display. */
      readonly value: string
      /** What an archive ckpt reads has there. */
      readonly accepted: string
      /** Byte offset in the archive of the header or data where it was found. */
      readonly offset: number
      readonly message: string
    }
  /** The archive holds a checkpoint whose path (or one of whose files) the target holds otherwise. */
  | { readonly _tag: 'ImportConflict'; readonly path: string; readonly key: string; readonly message: string }

export type InvalidArchive = Extract<ArchiveError, { readonly _tag: 'InvalidArchive' }>

/** Longest value quoted in a message. */
const MAX_VALUE_CHARS = 120

/** A value as a message shows it: JSON for strings (so control characters are visible), cut at 120 characters. */
export const shownValue = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value)
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)` : text
}

export const invalidArchive = (field: string, value: unknown, accepted: string, offset: number, why = ''): InvalidArchive => {
  const shown = shownValue(value)
  return {
    _tag: 'InvalidArchive',
    field,
    value: shown,
    accepted,
    offset,
    message: `invalid checkpoint archive at byte ${offset}: ${field} is ${shown}${why === '' ? '' : ` (${why})`}; expected ${accepted}; nothing was committed`,
  }
}
