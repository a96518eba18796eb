/** Where a command writes, and what it reads from the environment. */
export interface CliIO {
  readonly stdout: { write(chunk: string): unknown }
  readonly stderr: { write(chunk: string): unknown }
  /** Environment variables for `s3://` locations (endpoint, region, credentials). Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** Exit codes of every command. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The command ran and found a problem: a corrupt checkpoint or index (`verify`), an inconsistent model (`inspect`). */
  problem: 1,
  /** The command could not run: a bad flag or argument, or an unreadable or invalid file, folder or bucket. */
  usage: 2,
  /** A bug in ckpt: an unexpected exception (reported in one line, without a stack trace). */
  internal: 3,
} as const
