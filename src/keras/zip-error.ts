/** Why a byte string is not a zip archive ckpt can read or write, as a value. */
export type ZipError =
  /** The archive or one entry (`entry`, null for the archive as a whole) is malformed or unsupported. */
  | { readonly _tag: 'InvalidZip'; readonly entry: string | null; readonly message: string }
  /** An entry's `field` (`value`) is over the `limit` ckpt accepts (see docs/format.md, "Limits on input"). */
  | {
      readonly _tag: 'ZipLimitExceeded'
      readonly entry: string
      readonly field: 'uncompressed size' | 'compression ratio'
      readonly value: number
      readonly limit: number
      readonly message: string
    }

export const invalidZip = (entry: string | null, message: string): ZipError => ({ _tag: 'InvalidZip', entry, message })
