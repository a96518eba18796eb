import * as E from '#fp-ts/Either.js'
import { boolFlag, parseCommandArgs, type FlagSpecs, type ParsedArgs } from './args.js'
import type { CliError } from './errors.js'
import { EXIT, type CliIO } from './io.js'

/** One `ckpt` subcommand. `run` resolves to an exit code, or to the error that stopped it (exit code 2). */
export interface Command {
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** The full `ckpt <name> --help` text. */
  readonly help: string
  run(args: ReadonlyArray<string>, io: CliIO): Promise<E.Either<CliError, number>>
}

export interface CommandSpec {
  readonly name: string
  readonly summary: string
  readonly help: string
  readonly flags: FlagSpecs
  /** Bounds on the positional arguments, and their names for messages. */
  readonly positionals: { readonly min: number; readonly max: number; readonly names: string }
  /** Runs with parsed arguments (`--help` is already handled). */
  readonly run: (args: ParsedArgs, io: CliIO) => E.Either<CliError, number> | Promise<E.Either<CliError, number>>
}

/** A command whose arguments are parsed by `parseCommandArgs` and whose `--help`/`-h` prints `help`. */
export const defineCommand = (spec: CommandSpec): Command => ({
  name: spec.name,
  summary: spec.summary,
  help: spec.help,
  async run(args, io) {
    const parsed = parseCommandArgs(spec.name, args, spec.flags, spec.positionals)
    if (E.isLeft(parsed)) return parsed
    if (boolFlag(parsed.right, 'help')) {
      io.stdout.write(`${spec.help}\n`)
      return E.right(EXIT.ok)
    }
    return spec.run(parsed.right, io)
  },
})
