/** Why a command could not run. Both kinds exit with code 2; a usage error also points at the help. */
export type CliError =
  | { readonly _tag: 'UsageError'; readonly command: string | null; readonly message: string }
  | { readonly _tag: 'InputError'; readonly message: string }

/** A bad flag, a missing or extra argument. */
export const usageError = (command: string | null, message: string): CliError => ({ _tag: 'UsageError', command, message })

/** A file, folder, bucket or configuration that cannot be used. */
export const inputError = (message: string): CliError => ({ _tag: 'InputError', message })

/** The message of anything thrown, without its stack. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))
