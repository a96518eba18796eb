import * as E from '#fp-ts/Either.js'
import { parseCsvLog } from './csv-log.js'
import type { CliError } from './errors.js'
import { parseEventsJsonl } from './events-jsonl.js'
import { readText } from './files.js'
import type { TrainingLog } from './training-log.js'

/**
 * Reads a training log: a Keras CSVLogger file or a JSON-lines history. `auto` tells them apart by content: a
 * history's first non-blank character is `{`, a CSVLogger file starts with its header.
 */
export const readTrainingLog = async (
  path: string,
  kind: 'csv' | 'jsonl' | 'auto',
  separator = ',',
): Promise<E.Either<CliError, TrainingLog>> => {
  const text = await readText(path, kind === 'jsonl' ? 'event history' : 'training log')
  if (E.isLeft(text)) return text
  const jsonl =
    kind === 'jsonl' ||
    (kind === 'auto' &&
      text.right
        .replace(/^\ufeff/, '')
        .trimStart()
        .startsWith('{'))
  return jsonl ? parseEventsJsonl(text.right, path) : parseCsvLog(text.right, path, separator)
}

/** Why `separator` cannot separate CSV fields (one character, not a quote or a line break), or null. */
export const separatorProblem = (separator: string): string | null =>
  [...separator].length !== 1 || separator === '"' || separator === '\n' || separator === '\r'
    ? `--separator: got ${JSON.stringify(separator)}; expected one character other than a quote or a line break`
    : null
