import * as E from '#fp-ts/Either.js'
import type { Entry } from '../checkpointer/index.js'
import { reportHtml, type PageSection } from '../report/page.js'
import { timelineSvg } from '../report/timeline.js'
import { stringFlag, type ParsedArgs } from './args.js'
import { defineCommand, type Command } from './command.js'
import type { CliError } from './errors.js'
import { EXIT, type CliIO } from './io.js'
import { drawnSummary, printNotes } from './plot.js'
import { escapeText, formatBytes, shortNumber } from './render.js'
import { emitDrawing, loadRun, locationHelp, runFlags, runHelp, type RunView } from './run-view.js'
import { verdictOf, type Verdict } from './verdict.js'

const help = `Usage: ckpt report LOCATION [--log TRAINING.log|HISTORY.jsonl [--config POLICY.json]] [options] --out REPORT.html

Writes one self-contained HTML page about a run: the timeline 'ckpt plot' draws (inline SVG), the table of the
checkpoints the folder keeps with their metrics and what 'ckpt verify' finds for each (every checksum is read),
and the options the run used: what the index records (the monitor and mode, the policy's state) and, with
--config, the options in that file. Inline CSS, no script, nothing fetched: the page works offline and as a CI
artifact. It is XHTML, so XML tools read it too.

Options:
  --out FILE        the HTML file to write (written whole, then renamed); default: standard output
${runHelp}
  -h, --help        this help
${locationHelp}

Exit codes: 0 written, every checkpoint verifies; 1 written, and a checkpoint is corrupt (the page and stderr
name it); 2 bad flag, missing folder, no index, an unreadable log or configuration, or a storage failure.`

/** The metric names of the kept checkpoints, in the order they first appear. */
const metricNames = (entries: ReadonlyArray<Entry>): string[] => {
  const names = new Set<string>()
  for (const e of entries) for (const k of Object.keys(e.metrics)) names.add(k)
  return [...names]
}

const checkpointsSection = (view: RunView, verdicts: ReadonlyArray<Verdict>): PageSection => {
  const entries = view.doc.checkpoints
  const metrics = metricNames(entries)
  const batches = entries.some((e) => e.batch !== null)
  return {
    id: 'checkpoints',
    heading: `Kept checkpoints (${entries.length})`,
    paragraphs:
      entries.length === 0
        ? ['The index holds no checkpoint.']
        : [
            `Oldest first. Epochs${batches ? ' and batches' : ''} 1-based; metrics to 6 significant digits (ckpt ls --json has them exact). Verify: every file read and checked against the size and checksums the index recorded, as ckpt verify does.`,
          ],
    table: {
      header: ['path', 'epoch', ...(batches ? ['batch', 'step'] : []), 'size', 'mark', ...metrics.map(escapeText), 'verify'],
      rows: entries.map((e, i) => {
        const v = verdicts[i]!
        const marks = [e === view.best ? 'best' : null, e === view.latest ? 'latest' : null].filter((m) => m !== null).join(', ')
        return {
          cells: [
            escapeText(e.path),
            String(e.epoch + 1),
            ...(batches ? [e.batch === null ? '-' : String(e.batch + 1), String(e.step)] : []),
            formatBytes(v.size),
            marks,
            ...metrics.map((m) => (Object.hasOwn(e.metrics, m) ? shortNumber(e.metrics[m]!, 6) : '-')),
            v.ok ? 'OK' : `CORRUPT: ${escapeText(v.reason ?? '')}`,
          ],
          status: v.ok ? ('ok' as const) : ('corrupt' as const),
        }
      }),
    },
  }
}

const optionsSection = (view: RunView): PageSection => {
  const recorded = view.doc.ranking
  const state = view.doc.policyState
  const paragraphs = [
    recorded === undefined && state === undefined
      ? 'The index records no options.'
      : `The index records the ranking ${recorded === undefined ? '(none: an index from an older ckpt)' : `monitor ${escapeText(recorded.monitor)}, mode ${recorded.mode}`} and the policy's state at the latest save: ${escapeText(JSON.stringify(state) ?? 'none')}.`,
    'The index does not record the other options (filepath, saveBestOnly, saveFreq, minDelta, the retention options)' +
      (view.policy === null
        ? '; give --config with the file the run used to show them.'
        : `; these are from ${escapeText(view.policy.path)} (--config):`),
  ]
  const options = view.policy?.options
  return {
    id: 'options',
    heading: 'Options',
    paragraphs,
    ...(typeof options === 'object' && options !== null
      ? {
          table: {
            header: ['option', 'value'],
            rows: Object.entries(options).map(([k, v]) => ({ cells: [escapeText(k), escapeText(JSON.stringify(v) ?? String(v))] })),
          },
        }
      : {}),
  }
}

export const reportCommand: Command = defineCommand({
  name: 'report',
  summary: 'write one self-contained HTML page: the plot, the kept checkpoints verified, the options',
  help,
  flags: runFlags,
  positionals: { min: 1, max: 1, names: 'LOCATION (a folder or s3://BUCKET/PREFIX)' },
  async run(a: ParsedArgs, io: CliIO): Promise<E.Either<CliError, number>> {
    const run = await loadRun('report', a, io)
    if (E.isLeft(run)) return run
    const { view, location } = run.right
    const verdicts: Verdict[] = []
    try {
      for (const entry of view.doc.checkpoints) verdicts.push(await verdictOf(location.storage, entry))
    } finally {
      await location.storage.close().catch(() => undefined)
    }
    const corrupt = verdicts.filter((v) => !v.ok)
    const n = verdicts.length
    const title = escapeText(stringFlag(a, 'title') ?? `ckpt report: ${view.location}`)
    const page = reportHtml({
      title,
      summary: [
        `${escapeText(view.location)}: ${n} checkpoint${n === 1 ? '' : 's'} kept, ${
          corrupt.length === 0 ? 'all verify' : `${corrupt.length} corrupt`
        }; best ${view.best === null ? 'unknown' : escapeText(view.best.path)}; latest ${view.latest === null ? 'none' : escapeText(view.latest.path)}.`,
      ],
      figure: timelineSvg(view.timeline),
      sections: [
        checkpointsSection(view, verdicts),
        optionsSection(view),
        { id: 'notes', heading: 'Notes', paragraphs: view.notes.length === 0 ? ['None.'] : [], list: view.notes },
      ],
    })
    printNotes('report', view, io)
    for (const v of corrupt) io.stderr.write(`ckpt report: CORRUPT ${escapeText(v.path)}: ${escapeText(v.reason ?? '')}\n`)
    const summary = `${n} kept checkpoint${n === 1 ? '' : 's'}, ${corrupt.length === 0 ? 'all verify' : `${corrupt.length} corrupt`}; ${drawnSummary(view)}`
    const written = await emitDrawing(a, io, page, summary)
    return E.isLeft(written) ? written : E.right(corrupt.length === 0 ? EXIT.ok : EXIT.problem)
  },
})
