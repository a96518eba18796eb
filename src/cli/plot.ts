import * as E from '#fp-ts/Either.js'
import { timelineSvg } from '../report/timeline.js'
import type { ParsedArgs } from './args.js'
import { defineCommand, type Command } from './command.js'
import type { CliError } from './errors.js'
import { EXIT, type CliIO } from './io.js'
import { escapeLines, escapeText } from './render.js'
import { emitDrawing, loadRun, locationHelp, runFlags, runHelp, type RunView } from './run-view.js'

const help = `Usage: ckpt plot LOCATION [--log TRAINING.log|HISTORY.jsonl [--config POLICY.json]] [options] --out RUN.svg

Draws a run as an SVG timeline: the monitored metric per epoch (or per step, when the run saved at batch ends),
a green dot for every save, an orange diamond for every skip, a red cross for every save retention deleted,
a blue ring around each checkpoint the folder still holds, and a star above the best; axes, a legend and a
title naming the run. Without --log the curve joins the values the checkpoints hold. Without --config only
the kept checkpoints (and deletions the index still lists) are marked: the index does not record skips.

Options:
  --out FILE        the SVG file to write (written whole, then renamed); default: standard output
${runHelp}
  -h, --help        this help
${locationHelp}

Exit codes: 0 drawn; 2 bad flag, missing folder, no index, an unreadable log or configuration, or a storage
failure.`

/** The one-line summary of a drawing, for stdout (or stderr when the drawing itself goes to stdout). */
export const drawnSummary = (view: RunView): string => {
  const c = view.counts
  const per = view.timeline.xLabel
  return `${escapeText(view.metric)} per ${per}, ${c.events} ${view.log === null ? 'checkpoints' : `${per}s`}: ${
    view.policy === null ? '' : `${c.save} saves, ${c.skip} skips, ${c.deleted} deleted, `
  }${c.kept} kept${view.best === null ? '' : `, best ${escapeText(view.best.path)}`}`
}

/** The notes of a drawing on stderr, one line each. */
export const printNotes = (command: string, view: RunView, io: CliIO): void => {
  for (const n of view.notes) io.stderr.write(`ckpt ${command}: note: ${escapeLines(n)}\n`)
}

export const plotCommand: Command = defineCommand({
  name: 'plot',
  summary: 'draw a run as an SVG timeline: the metric, saves, skips, deletions, kept and best',
  help,
  flags: runFlags,
  positionals: { min: 1, max: 1, names: 'LOCATION (a folder or s3://BUCKET/PREFIX)' },
  async run(a: ParsedArgs, io: CliIO): Promise<E.Either<CliError, number>> {
    const run = await loadRun('plot', a, io)
    if (E.isLeft(run)) return run
    const { view, location } = run.right
    await location.storage.close().catch(() => undefined)
    printNotes('plot', view, io)
    const written = await emitDrawing(a, io, timelineSvg(view.timeline), drawnSummary(view))
    return E.isLeft(written) ? written : E.right(EXIT.ok)
  },
})
