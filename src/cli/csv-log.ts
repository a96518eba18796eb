import * as E from '#fp-ts/Either.js'
import { inputError, type CliError } from './errors.js'
import { parsePythonFloat } from './literals.js'
import { quoted as shownField } from './render.js'
import type { LoggedEvent, TrainingLog } from './training-log.js'

/** Longest CSV field, in characters: Python's `csv.field_size_limit()` default, so a field Python refuses is refused. */
export const MAX_CSV_FIELD_CHARS = 131_072

/** One CSV record and the line it starts on (1-based). */
interface CsvRecord {
  readonly line: number
  readonly fields: ReadonlyArray<string>
}

/**
 * Splits CSV text as Python reads a CSVLogger file (`open(f)` in text mode, then `csv.reader` with the `excel`
 * dialect): universal newlines (`\r\n` and `\r` read as `\n`, so CSVLogger's `\r\n` rows and Windows'
 * `\r\r\n` both work), `"`-quoted fields with `""` for a quote, separators and line breaks allowed inside
 * quotes, blank lines skipped.
 */
const readCsv = (input: string, separator: string): E.Either<{ line: number; message: string }, CsvRecord[]> => {
  const text = input.replace(/\r\n?/g, '\n')
  const records: CsvRecord[] = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let touched = false // the record has a separator or a quote, so it is not a blank line
  let line = 1
  let start = 1
  const endRecord = () => {
    fields.push(field)
    if (touched || field !== '' || fields.length > 1) records.push({ line: start, fields })
    fields = []
    field = ''
    touched = false
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else {
        if (c === '\n') line++
        field += c
      }
    } else if (c === '"' && field === '') {
      quoted = true
      touched = true
    } else if (c === separator) {
      fields.push(field)
      field = ''
      touched = true
    } else if (c === '\n') {
      endRecord()
      line++
      start = line
    } else field += c
    if (field.length > MAX_CSV_FIELD_CHARS)
      return E.left({ line, message: `a field is longer than ${MAX_CSV_FIELD_CHARS} characters (Python's csv.field_size_limit())` })
  }
  if (quoted) return E.left({ line: start, message: 'a quoted field is not closed before the end of the file' })
  if (touched || field !== '' || fields.length > 0) endRecord()
  return E.right(records)
}

/** CSVLogger's marker for a metric missing from an epoch's logs (e.g. validation not run that epoch). */
const MISSING = new Set(['NA', ''])

/**
 * Reads the CSV that Keras's `CSVLogger` writes: a header `epoch,<metric>,...` (sorted metric names, then any
 * expected `val_*` ones), one row per epoch with the 0-based epoch index, values as Python's `str(float)`
 * (`nan`, `inf` and `-inf` included) and `NA` where a metric is missing that epoch (the key is then left out
 * of the event's logs). The `epoch` column becomes the event's epoch and is not a log key. Each row is an
 * epoch-end event.
 *
 * @example parseCsvLog('epoch,loss\r\n0,0.5\r\n', 'training.log')
 * // Right({ events: [{ line: 2, event: { epoch: 0, logs: { loss: 0.5 } } }] })
 */
export const parseCsvLog = (text: string, source: string, separator = ','): E.Either<CliError, TrainingLog> => {
  const at = (line: number, message: string) => inputError(`${source} line ${line}: ${message}`)
  const parsed = readCsv(text.startsWith('\ufeff') ? text.slice(1) : text, separator)
  if (E.isLeft(parsed)) return E.left(at(parsed.left.line, parsed.left.message))
  const [header, ...rows] = parsed.right
  if (header === undefined)
    return E.left(inputError(`${source}: the file is empty; expected a Keras CSVLogger header such as "epoch,loss,val_loss"`))
  const names = header.fields.map((f) => f.trim())
  const epochAt = names.indexOf('epoch')
  if (epochAt < 0)
    return E.left(
      at(
        header.line,
        `the header ${JSON.stringify(header.fields.join(separator))} has no "epoch" column; expected a Keras CSVLogger header such as "epoch,loss,val_loss"${separator === ',' && header.fields.length === 1 ? ' (if the file uses another separator, pass --separator)' : ''}`,
      ),
    )
  const seen = new Set<string>()
  for (const n of names) {
    if (n === '') return E.left(at(header.line, 'the header has an empty column name'))
    if (seen.has(n)) return E.left(at(header.line, `the header names the column "${n}" twice`))
    seen.add(n)
  }
  const events: LoggedEvent[] = []
  for (const row of rows) {
    if (row.fields.length !== names.length)
      return E.left(at(row.line, `has ${row.fields.length} fields, the header has ${names.length} (${names.join(separator)})`))
    const epochText = row.fields[epochAt]!.trim()
    if (!/^\d+$/.test(epochText) || !Number.isSafeInteger(Number(epochText)))
      return E.left(
        at(
          row.line,
          `column "epoch": got ${shownField(epochText)}; expected a 0-based epoch index (an integer >= 0), as CSVLogger writes it`,
        ),
      )
    const logs = Object.create(null) as Record<string, number>
    for (let i = 0; i < names.length; i++) {
      if (i === epochAt) continue
      const raw = row.fields[i]!
      if (MISSING.has(raw.trim())) continue
      const v = parsePythonFloat(raw)
      if (v === null)
        return E.left(
          at(row.line, `column "${names[i]}": got ${shownField(raw)}; expected a number (Python float syntax, nan and inf included) or NA`),
        )
      logs[names[i]!] = v
    }
    events.push({ line: row.line, event: { epoch: Number(epochText), logs } })
  }
  return E.right({ source, kind: 'keras-csv', events })
}
