/**
 * The `ckpt` command line: `simulate`, `format`, `ls`, `verify`, `inspect`, `export`, `import`, `plot`, `report`.
 * See docs/cli.md.
 *
 * `main(argv, io)` runs one command in-process and resolves to its exit code; it never throws and never
 * prints a stack trace. `bin/ckpt.js` calls it with `process.argv.slice(2)`.
 */
import { readFileSync, realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as E from '#fp-ts/Either.js'
import type { Command } from './command.js'
import type { CliError } from './errors.js'
import { exportCommand } from './export-command.js'
import { formatCommand } from './format-command.js'
import { importCommand } from './import-command.js'
import { inspectCommand } from './inspect.js'
import { EXIT, type CliIO } from './io.js'
import { lsCommand } from './ls.js'
import { plotCommand } from './plot.js'
import { reportCommand } from './report.js'
import { escapeLines } from './render.js'
import { simulateCommand } from './simulate.js'
import { verifyCommand } from './verify.js'

export type { CliIO } from './io.js'
export { EXIT } from './io.js'

/** The commands, in the order `ckpt --help` lists them. */
export const commands: ReadonlyArray<Command> = [
  simulateCommand,
  formatCommand,
  lsCommand,
  verifyCommand,
  inspectCommand,
  exportCommand,
  importCommand,
  plotCommand,
  reportCommand,
]

/** The package's version, read from package.json (two folders up from src/cli and from dist/cli). */
export const version = (): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version : 'unknown'
  } catch {
    return 'unknown'
  }
}

export const usage = (): string => {
  const width = commands.reduce((w, c) => Math.max(w, c.name.length), 0)
  return `Usage: ckpt <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'ckpt <command> --help' (or 'ckpt help <command>') for a command's options.
Options: -h, --help  this help;  --version  print ckpt's version.
Exit codes: 0 success; 1 a problem found (verify, export, report: a corrupt checkpoint; inspect: bad weight files);
2 usage or input error; 3 unexpected internal error.`
}

const report = (io: CliIO, e: CliError): number => {
  if (e._tag === 'UsageError') {
    const where = e.command === null ? 'ckpt' : `ckpt ${e.command}`
    io.stderr.write(`${where}: ${escapeLines(e.message)}\nRun '${where} --help' for usage.\n`)
  } else io.stderr.write(`ckpt: ${escapeLines(e.message)}\n`)
  return EXIT.usage
}

/**
 * Runs `ckpt` with `argv` (the arguments after `ckpt`). Resolves to the exit code; output goes to `io`.
 *
 * @example await main(['format', 'ckpt-{epoch:02d}.keras', 'epoch=3'], { stdout: process.stdout, stderr: process.stderr })
 * // prints ckpt-03.keras, resolves 0
 */
export async function main(argv: ReadonlyArray<string>, io: CliIO): Promise<number> {
  try {
    const [first, ...rest] = argv
    if (first === undefined) {
      io.stderr.write(`${usage()}\n`)
      return EXIT.usage
    }
    if (first === '--help' || first === '-h') {
      io.stdout.write(`${usage()}\n`)
      return EXIT.ok
    }
    if (first === '--version' || first === '-v') {
      io.stdout.write(`${version()}\n`)
      return EXIT.ok
    }
    if (first === 'help') {
      const name = rest[0]
      if (name === undefined) {
        io.stdout.write(`${usage()}\n`)
        return EXIT.ok
      }
      const c = commands.find((x) => x.name === name)
      if (c === undefined)
        return report(io, {
          _tag: 'UsageError',
          command: null,
          message: `unknown command ${JSON.stringify(name)}; commands: ${commands.map((x) => x.name).join(', ')}`,
        })
      io.stdout.write(`${c.help}\n`)
      return EXIT.ok
    }
    const command = commands.find((c) => c.name === first)
    if (command === undefined)
      return report(io, {
        _tag: 'UsageError',
        command: null,
        message: first.startsWith('-')
          ? `unknown option ${JSON.stringify(first)} before the command`
          : `unknown command ${JSON.stringify(first)}; commands: ${commands.map((c) => c.name).join(', ')}`,
      })
    const result = await command.run(rest, io)
    return E.isLeft(result) ? report(io, result.left) : result.right
  } catch (e) {
    io.stderr.write(
      `ckpt: unexpected error (a bug in ckpt; please report it): ${escapeLines(e instanceof Error ? `${e.name}: ${e.message}` : String(e))}\n`,
    )
    return EXIT.internal
  }
}

/** True when this module is the process's entry point (`node --import tsx src/cli/main.ts ...`). */
const isEntry = (): boolean => {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

/**
 * Runs `ckpt` as this process: arguments from `process.argv`, output to the process's streams, the exit code
 * as `process.exitCode`. A reader that closes the pipe early (`ckpt ls | head -1`) ends the process quietly.
 */
export async function runProcess(): Promise<void> {
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok)
      throw e
    })
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr })
}

if (isEntry()) await runProcess()
