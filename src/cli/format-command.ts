import * as E from '#fp-ts/Either.js'
import { formatTemplate, type TemplateError, type TemplateValue } from '../format/index.js'
import type { ParsedArgs } from './args.js'
import { defineCommand, type Command } from './command.js'
import { inputError, usageError, type CliError } from './errors.js'
import { EXIT, type CliIO } from './io.js'
import { parsePythonFloat, parsePythonInt } from './literals.js'
import { quoted } from './render.js'

const help = `Usage: ckpt format TEMPLATE [NAME=VALUE ...]

Prints TEMPLATE.format(**values) exactly as CPython 3.11 would, e.g.
  ckpt format 'ckpt-{epoch:02d}-{val_loss:.4f}.keras' epoch=3 val_loss=0.25   ->  ckpt-03-0.2500.keras

A VALUE's Python type is read from how it is written:
  int     an integer literal: 3, -2, 1_000 (any size)
  float   a float literal: 0.5, 1e-3, 2., .5, nan, inf, -inf (any case)
  bool    True or False (also true / false)
  str     anything else, e.g. adam, 0x10, ''
Force a type with NAME:TYPE=VALUE, TYPE one of int, float, bool, str (e.g. tag:str=3).
A template starting with '-' goes after '--': ckpt format -- '-{x}' x=1

Exit codes: 0 printed; 2 bad argument, or the template cannot be rendered (Python would raise).`

type ValueType = 'int' | 'float' | 'bool' | 'str'

/** A NAME=VALUE argument as a Python value, by the rules of the help text. */
export const parseAssignment = (arg: string): E.Either<string, readonly [string, TemplateValue]> => {
  const eq = arg.indexOf('=')
  if (eq < 0) return E.left(`${JSON.stringify(arg)} is not NAME=VALUE`)
  const lhs = arg.slice(0, eq)
  const text = arg.slice(eq + 1)
  const colon = lhs.indexOf(':')
  const name = colon < 0 ? lhs : lhs.slice(0, colon)
  const forced = colon < 0 ? null : lhs.slice(colon + 1)
  if (name === '') return E.left(`${JSON.stringify(arg)} has an empty NAME`)
  if (forced !== null && !['int', 'float', 'bool', 'str'].includes(forced))
    return E.left(`${JSON.stringify(arg)}: unknown type ${JSON.stringify(forced)}; expected int, float, bool or str`)
  const asBool = (s: string): boolean | null => (s === 'True' || s === 'true' ? true : s === 'False' || s === 'false' ? false : null)
  const type = forced as ValueType | null
  if (type === 'str') return E.right([name, text])
  if (type === 'int') {
    const v = parsePythonInt(text)
    return v === null ? E.left(`${name}: got ${JSON.stringify(text)}; expected an integer literal for type int`) : E.right([name, v])
  }
  if (type === 'float') {
    const v = parsePythonFloat(text)
    return v === null
      ? E.left(`${name}: got ${JSON.stringify(text)}; expected a float literal (0.5, 1e-3, nan, inf) for type float`)
      : E.right([name, v])
  }
  if (type === 'bool') {
    const v = asBool(text)
    return v === null ? E.left(`${name}: got ${JSON.stringify(text)}; expected True or False for type bool`) : E.right([name, v])
  }
  const i = parsePythonInt(text)
  if (i !== null) return E.right([name, i])
  const f = parsePythonFloat(text)
  if (f !== null) return E.right([name, f])
  const b = asBool(text)
  return E.right([name, b ?? text])
}

/** The library's hint for an integer given as a float is a bigint literal (`3n`); on a command line it is `epoch=3`. */
const onCommandLine = (e: TemplateError): string =>
  e.message.replace(/ \(pass integers as bigint, e\.g\. (-?\d+)n\)$/, (_, n: string) => ` (give an integer: ${e.field ?? 'NAME'}=${n})`)

export const formatCommand: Command = defineCommand({
  name: 'format',
  summary: 'render a filename template with Python str.format semantics',
  help,
  flags: {},
  positionals: { min: 1, max: Infinity, names: 'TEMPLATE [NAME=VALUE ...]' },
  run(a: ParsedArgs, io: CliIO): E.Either<CliError, number> {
    const [template, ...assignments] = a.positionals
    const values = Object.create(null) as Record<string, TemplateValue>
    for (const arg of assignments) {
      const r = parseAssignment(arg)
      if (E.isLeft(r)) return E.left(usageError('format', r.left))
      const [name, value] = r.right
      if (Object.prototype.hasOwnProperty.call(values, name)) return E.left(usageError('format', `${name} is given twice`))
      values[name] = value
    }
    const out = formatTemplate(template!, values)
    if (E.isLeft(out)) return E.left(inputError(`cannot format ${quoted(template!)}: ${onCommandLine(out.left)}`))
    io.stdout.write(`${out.right}\n`)
    return E.right(EXIT.ok)
  },
})
