import type * as E from 'fp-ts/lib/Either.js'
import type { CliError } from './errors.js'
import type { CliIO } from './io.js'

/** One `ckpt` subcommand. `run` resolves to an exit code, or to the error that stopped it (exit code 2). */
export interface Command {
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** The full `ckpt <name> --help` text. */
  readonly help: string
  run(args: ReadonlyArray<string>, io: CliIO): Promise<E.Either<CliError, number>>
}
