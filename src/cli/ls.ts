import * as E from '#fp-ts/Either.js'
import { bestOf } from '../policy/index.js'
import { checkpointFiles } from '../checkpointer/blocks.js'
import { entryRecord, isLast, regularEntries } from '../checkpointer/entries.js'
import type { Entry, IndexDoc } from '../checkpointer/index.js'
import { bestRule } from './best-rule.js'
import { boolFlag, stringFlag, type ParsedArgs } from './args.js'
import { defineCommand, type Command } from './command.js'
import { usageError, type CliError } from './errors.js'
import { asCliError, readIndex } from './index-reader.js'
import { EXIT, type CliIO } from './io.js'
import { locationFlags, locationHelp, openLocationOf } from './location.js'
import { escapeLines, formatBytes, jsonMetrics, jsonNumber, metricsText, table, toJson } from './render.js'

const help = `Usage: ckpt ls LOCATION [options]

Lists the checkpoints of a checkpoint folder's index, oldest first: path, epoch, batch, step, size (the sum
of the checkpoint's files), metrics, and which is the best, the latest, and the last of saveLast.

Options:
  --monitor NAME    the metric that ranks checkpoints for "best"; default: the monitor the index records
                    (an index from an older ckpt records none: then the metric whose values are its scores)
  --mode min|max    the direction of the monitor; default: the mode the index records, else inferred from
                    the monitor's name as the policy's mode 'auto'
  --json            machine-readable output (0-based epoch and batch, sizes in bytes)
  -h, --help        this help
${locationHelp}

Epochs and batches are printed 1-based, as Keras's messages and the filename template show them; --json
gives them 0-based, as the index stores them. The latest is the last committed checkpoint; the best is
the one Checkpointer.best() returns (ties go to the older).
Exit codes: 0 listed; 2 bad flag, missing or unreadable folder, no index, corrupt index.`

const sizeOf = (e: Entry): number => checkpointFiles(e.files).reduce((n, f) => n + f.size, 0)

export const lsCommand: Command = defineCommand({
  name: 'ls',
  summary: 'list the checkpoints of a folder (local or s3://), marking the best and the latest',
  help,
  flags: { ...locationFlags, monitor: { type: 'string' }, mode: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1, names: 'LOCATION (a folder or s3://BUCKET/PREFIX)' },
  async run(a: ParsedArgs, io: CliIO): Promise<E.Either<CliError, number>> {
    const mode = stringFlag(a, 'mode')
    if (mode !== undefined && mode !== 'min' && mode !== 'max')
      return E.left(usageError('ls', `--mode: got ${JSON.stringify(mode)}; expected min or max`))
    const monitor = stringFlag(a, 'monitor')
    if (monitor === '') return E.left(usageError('ls', '--monitor: expected a metric name'))
    const location = await openLocationOf('ls', a.positionals[0]!, a, io)
    if (E.isLeft(location)) return location
    let doc: IndexDoc
    let rebuilt: string | null
    try {
      const index = await readIndex(location.right)
      if (E.isLeft(index)) return E.left(asCliError(index.left))
      ;({ doc, rebuilt } = index.right)
    } finally {
      await location.right.storage.close().catch(() => undefined)
    }
    const entries = doc.checkpoints
    const rule = bestRule(doc, monitor, mode)
    // `last` (saveLast) is never the best, as in Checkpointer.best().
    const best = rule.ranking === null ? null : bestOf(rule.ranking, regularEntries(entries), entryRecord)
    const latest = entries.at(-1) ?? null
    // saveLast's `last`: one live entry (the Checkpointer removes the one a template lastFilepath wrote before).
    const last = entries.filter(isLast).at(-1) ?? null

    if (boolFlag(a, 'json')) {
      io.stdout.write(
        toJson({
          location: location.right.display,
          monitor: rule.ranking?.monitor ?? null,
          mode: rule.ranking?.mode ?? null,
          best: best?.path ?? null,
          latest: latest?.path ?? null,
          last: last?.path ?? null,
          checkpoints: entries.map((e) => ({
            path: e.path,
            format: e.format,
            epoch: e.epoch,
            batch: e.batch,
            step: e.step,
            time: e.time,
            size: sizeOf(e),
            files: checkpointFiles(e.files).length,
            metrics: jsonMetrics(e.metrics),
            score: e.score === null ? null : jsonNumber(e.score),
            best: e === best,
            latest: e === latest,
            last: isLast(e),
          })),
          pending: { replacing: doc.replacing.map((e) => e.path), removing: doc.removing.map((e) => e.path) },
          rebuilt: rebuilt !== null,
        }),
      )
      return E.right(EXIT.ok)
    }
    const out: string[] = []
    if (rebuilt !== null) out.push(`note: ${rebuilt}`)
    out.push(
      `${location.right.display}: ${entries.length} checkpoint${entries.length === 1 ? '' : 's'}${
        entries.length === 0 ? '' : rule.ranking === null ? `; best: unknown (${rule.why})` : `; best by ${rule.how}`
      }`,
    )
    if (entries.length > 0) {
      const rows = entries.map((e) => [
        e.path,
        String(e.epoch + 1),
        e.batch === null ? '-' : String(e.batch + 1),
        String(e.step),
        formatBytes(sizeOf(e)),
        [e === best ? 'best' : null, isLast(e) ? 'last' : null, e === latest ? 'latest' : null].filter((x) => x !== null).join(','),
        metricsText(e.metrics),
      ])
      out.push(table(['path', 'epoch', 'batch', 'step', 'size', 'mark', 'metrics'], rows))
    }
    if (doc.replacing.length + doc.removing.length > 0)
      out.push(
        `note: an interrupted save left ${doc.replacing.length} entr${doc.replacing.length === 1 ? 'y' : 'ies'} being replaced and ${doc.removing.length} being removed; the next writer finishes them`,
      )
    io.stdout.write(`${escapeLines(out.join('\n'))}\n`)
    return E.right(EXIT.ok)
  },
})
