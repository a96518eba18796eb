import * as E from '#fp-ts/Either.js'
import { JSON_DEPTH, parseBoundedJson } from '../json/bounded-json.js'
import type { SimulatedEvent } from '../policy/index.js'
import { inputError, type CliError } from './errors.js'
import type { LoggedEvent, TrainingLog } from './training-log.js'

const SENTINEL = '\u0000ckpt:'

/**
 * Python's `json.dumps` writes NaN and infinities as the bare tokens `NaN`, `Infinity`, `-Infinity`, which
 * `JSON.parse` rejects. This rewrites those tokens (outside strings) into sentinel strings decoded later.
 */
const quoteNonFinite = (line: string): string => {
  let out = ''
  let inString = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (inString) {
      out += c
      if (c === '\\') {
        out += line[i + 1] ?? ''
        i++
      } else if (c === '"') inString = false
      continue
    }
    if (c === '"') {
      inString = true
      out += c
      continue
    }
    const token = ['-Infinity', 'Infinity', 'NaN'].find((t) => line.startsWith(t, i))
    if (token !== undefined) {
      out += JSON.stringify(SENTINEL + token)
      i += token.length - 1
    } else out += c
  }
  return out
}

/** A log value: a number, Python's bare NaN/Infinity, or the index's strings "NaN", "Infinity", "-Infinity". */
const logValue = (v: unknown): number | null => {
  if (typeof v === 'number') return v
  if (typeof v !== 'string') return null
  const s = v.startsWith(SENTINEL) ? v.slice(SENTINEL.length) : v
  return s === 'NaN' ? NaN : s === 'Infinity' ? Infinity : s === '-Infinity' ? -Infinity : null
}

const show = (v: unknown): string => {
  if (typeof v === 'string' && v.startsWith(SENTINEL)) return v.slice(SENTINEL.length)
  const s = JSON.stringify(v)
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s
}

const KEYS = ['epoch', 'batch', 'logs', 'time']
const isIndex = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0

/**
 * Reads a JSON-lines event history: one `{"epoch", "batch"?, "logs", "time"?}` object a line (0-based epoch and
 * batch, as in Keras and tfjs callbacks; `batch` present means a batch end; `time` in ms since the Unix epoch).
 * Blank lines are skipped. Log values are numbers; NaN and infinities may be written as Python's `json.dumps`
 * writes them (`NaN`, `Infinity`, `-Infinity`) or as those strings.
 *
 * @example parseEventsJsonl('{"epoch": 0, "logs": {"loss": NaN}}\n', 'h.jsonl')
 * // Right({ events: [{ line: 1, event: { epoch: 0, logs: { loss: NaN } } }] })
 */
/**
 * Longest line, in characters. A history line holds one event's logs (a few kB even with hundreds of metrics);
 * a longer one is not a training log, and refusing it bounds the memory a line costs.
 */
export const MAX_JSONL_LINE_CHARS = 1 << 20

export const parseEventsJsonl = (text: string, source: string): E.Either<CliError, TrainingLog> => {
  const events: LoggedEvent[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim()
    if (raw === '') continue
    const at = (message: string) => E.left(inputError(`${source} line ${i + 1}: ${message}`))
    if (raw.length > MAX_JSONL_LINE_CHARS)
      return at(`the line is ${raw.length} characters long; ckpt reads lines of at most ${MAX_JSONL_LINE_CHARS} characters`)
    const parsed = parseBoundedJson(quoteNonFinite(raw.startsWith('\ufeff') ? raw.slice(1) : raw), JSON_DEPTH.record)
    if (E.isLeft(parsed)) return at(`not valid JSON (${parsed.left}); expected one {"epoch", "batch"?, "logs", "time"?} object a line`)
    const json = parsed.right
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      return at(`got ${show(json)}; expected an object {"epoch", "batch"?, "logs", "time"?}`)
    const o = json as Record<string, unknown>
    const unknown = Object.keys(o).find((k) => !KEYS.includes(k))
    if (unknown !== undefined) return at(`unknown key "${unknown}" (value ${show(o[unknown])}); expected only the keys ${KEYS.join(', ')}`)
    if (!isIndex(o.epoch)) return at(`"epoch": got ${show(o.epoch)}; expected a 0-based epoch index (an integer >= 0)`)
    if (o.batch !== undefined && o.batch !== null && !isIndex(o.batch))
      return at(`"batch": got ${show(o.batch)}; expected a 0-based batch index (an integer >= 0), or no "batch" for an epoch end`)
    if (o.time !== undefined && o.time !== null && !(typeof o.time === 'number' && Number.isFinite(o.time)))
      return at(`"time": got ${show(o.time)}; expected milliseconds since the Unix epoch (a finite number)`)
    if (typeof o.logs !== 'object' || o.logs === null || Array.isArray(o.logs))
      return at(`"logs": got ${show(o.logs)}; expected an object of metric name to number`)
    const logs = Object.create(null) as Record<string, number>
    for (const [k, v] of Object.entries(o.logs as Record<string, unknown>)) {
      const n = logValue(v)
      if (n === null) return at(`"logs.${k}": got ${show(v)}; expected a number (NaN, Infinity and -Infinity allowed)`)
      logs[k] = n
    }
    const event: SimulatedEvent = {
      epoch: o.epoch,
      ...(isIndex(o.batch) ? { batch: o.batch } : {}),
      logs,
      ...(typeof o.time === 'number' ? { time: o.time } : {}),
    }
    events.push({ line: i + 1, event })
  }
  return E.right({ source, kind: 'jsonl', events })
}
