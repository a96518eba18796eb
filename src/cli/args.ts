import * as E from '#fp-ts/Either.js'
import { parseArgs } from 'node:util'
import { usageError, type CliError } from './errors.js'

/** A flag: a boolean switch or a string-valued option. */
export interface FlagSpec {
  readonly type: 'boolean' | 'string'
  readonly short?: string
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>

/** Parsed flags (absent ones are `undefined`) and positional arguments. */
export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>
  readonly positionals: ReadonlyArray<string>
}

/**
 * `node:util` parseArgs in strict mode, with its exceptions turned into usage errors. `--help` is always
 * accepted. `positionals` bounds the number of positional arguments; `names` describe them for the message.
 */
export const parseCommandArgs = (
  command: string,
  args: ReadonlyArray<string>,
  flags: FlagSpecs,
  positionals: { readonly min: number; readonly max: number; readonly names: string },
): E.Either<CliError, ParsedArgs> => {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] }
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...flags, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
  } catch (e) {
    // parseArgs messages are precise ("Unknown option '--x'", "Option '--config <value>' argument missing").
    const message = e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e)
    return E.left(usageError(command, message))
  }
  const values = parsed.values
  if (values.help === true) return E.right({ flags: values, positionals: parsed.positionals })
  const n = parsed.positionals.length
  if (n < positionals.min) return E.left(usageError(command, `missing argument: expected ${positionals.names}`))
  if (n > positionals.max)
    return E.left(
      usageError(command, `unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}: expected ${positionals.names}`),
    )
  return E.right({ flags: values, positionals: parsed.positionals })
}

/** A string flag's value, or undefined. */
export const stringFlag = (args: ParsedArgs, name: string): string | undefined => {
  const v = args.flags[name]
  return typeof v === 'string' ? v : undefined
}

/** A boolean flag's value (false when absent). */
export const boolFlag = (args: ParsedArgs, name: string): boolean => args.flags[name] === true
