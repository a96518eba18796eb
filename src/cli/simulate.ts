import * as E from '#fp-ts/Either.js'
import type { PolicyConfig, SimulatedDecision } from '../policy/index.js'
import { flowDot } from '../report/flow-dot.js'
import { flowSvg } from '../report/flow-svg.js'
import { boolFlag, stringFlag, type ParsedArgs } from './args.js'
import { defineCommand, type Command } from './command.js'
import { configKeysHelp } from './config-keys.js'
import { usageError } from './errors.js'
import { replayFlow } from './flow-steps.js'
import { EXIT, type CliIO } from './io.js'
import { readTrainingLog, separatorProblem } from './log-file.js'
import { escapeLines, jsonMetrics, jsonNumber, pyRepr, table, toJson } from './render.js'
import { eventWhere as where, failureReason, readPolicyFile, replayLog, wouldStop } from './replay-log.js'
import type { ReplayedSave, RetentionReplay } from './replay.js'
import type { LoggedEvent, TrainingLog } from './training-log.js'

const help = `Usage: ckpt simulate --config POLICY.json (--csv TRAINING.log | --events HISTORY.jsonl) [options]

Replays a training log through the checkpoint policy: prints each decision (save or skip, the path,
Keras's verbose lines) and then what would be kept under the retention options.

Options:
  --config FILE     policy and retention options as JSON, as createCheckpointer takes them; the keys:
${configKeysHelp(20)}
  --csv FILE        a Keras CSVLogger log (header epoch,<metrics>; 0-based epochs; nan, inf, NA)
  --separator C     the CSV separator (CSVLogger's separator argument); default ","
  --events FILE     JSON lines {"epoch", "batch"?, "logs", "time"?}, 0-based epoch and batch
  --saves-only      print only the events that save (and any with warnings)
  --keep-going      replay past a save whose filename the event's logs cannot fill (where Keras raises and
                    training stops), marking each such save as failing
  --json            machine-readable output (one JSON document)
  --dot             the replay as a Graphviz digraph: Start, a node per decision (an epoch end and its
                    monitored value), an arrow labelled with the deciding comparison (0.5 < 0.6) to a save
                    note (the path, and kept or deleted later) or a skip note; saves green, skips orange
  --svg             the same diagram as SVG, drawn without Graphviz
  -h, --help        this help

Epochs and batches are printed 1-based, as Keras's messages and the filename template show them. A diagram
of more than 100 decisions draws each run of 3 or more skips as one node, and at most 300 nodes.
Exit codes: 0 done; 1 training would stop at a save whose filename cannot be rendered (with --keep-going
too, after the whole replay); 2 bad flag, file or configuration.`

const describeRetention = (config: PolicyConfig): string => {
  const r = config.retention
  const parts = [
    r.saveTopK === undefined ? null : `saveTopK ${r.saveTopK}`,
    r.maxToKeep === undefined ? null : `maxToKeep ${r.maxToKeep}`,
    r.keepPeriod === undefined ? null : `keepPeriod ${r.keepPeriod}`,
    r.keepTimeInterval === undefined ? null : `keepTimeInterval ${r.keepTimeInterval} ms`,
    r.keepLatest === false ? 'the newest not protected (keepLatest false)' : null,
    r.keepBest === false ? 'the best not protected (keepBest false)' : null,
  ].filter((p): p is string => p !== null)
  return parts.length === 0 ? 'no retention options (every save is kept)' : parts.join(', ')
}

const describePolicy = (config: PolicyConfig): string =>
  [
    `filepath ${config.filepath}`,
    `monitor ${config.monitor} (${config.mode})`,
    config.saveBestOnly ? 'save best only' : 'save every time',
    config.saveFreq === 'epoch' ? 'at epoch ends' : `every ${config.saveFreq} batches`,
  ].join(', ')

/** The text of one decision: `save PATH`, `skip`, or why the save fails; then where `last` goes, if it does. */
const decisionText = (config: PolicyConfig, d: SimulatedDecision, ev: LoggedEvent['event']): string =>
  d.failed !== undefined
    ? `save fails (training would stop here): ${failureReason(config, ev.logs, ev.batch !== undefined, d.failed)}`
    : `${d.save ? `save ${d.path}` : 'skip'}${d.last === undefined ? '' : `; last ${d.last}`}`

/** The newest checkpoint at the end, as `Checkpointer.latest()` finds it: saveLast's `last`, else the newest kept. */
const newest = (replay: RetentionReplay): ReplayedSave | null => replay.last ?? replay.latest

const marks = (s: ReplayedSave, replay: RetentionReplay): string =>
  [s === replay.best ? 'best' : null, s === replay.last ? 'last' : null, s === newest(replay) ? 'latest' : null]
    .filter((x) => x !== null)
    .join(',')

const humanReport = (
  log: TrainingLog,
  configPath: string,
  config: PolicyConfig,
  decisions: ReadonlyArray<SimulatedDecision>,
  replay: RetentionReplay,
  savesOnly: boolean,
): string => {
  const kinds = log.kind === 'keras-csv' ? 'Keras CSVLogger log' : 'JSON-lines history'
  const out: string[] = [
    `Replaying ${log.events.length} events from ${log.source} (${kinds}) through ${configPath}:`,
    `  ${describePolicy(config)}`,
    '',
  ]
  decisions.forEach((d, i) => {
    if (savesOnly && !d.save && d.failed === undefined && d.messages.every((m) => !m.startsWith('Can save best model only'))) return
    const ev = log.events[i]!.event
    out.push(`${where(ev)}: ${decisionText(config, d, ev)}`)
    for (const m of d.messages) out.push(`  ${m}`)
  })
  out.push('')
  const n = replay.saves.length
  const lasts = decisions.filter((d) => d.last !== undefined).length
  const failed = decisions.flatMap((d, i) => (d.failed === undefined ? [] : [where(log.events[i]!.event)]))
  out.push(
    `${n} save${n === 1 ? '' : 's'} in ${log.events.length} events${lasts === 0 ? '' : ` (and ${lasts} write${lasts === 1 ? '' : 's'} of last)`}. Retention: ${describeRetention(config)}.`,
  )
  if (failed.length > 0)
    out.push(
      `${failed.length} save${failed.length === 1 ? '' : 's'} would fail (${failed.join(', ')}): training would stop at the first; --keep-going replayed the rest.`,
    )
  const onDisk = replay.last === null ? replay.kept : [...replay.kept, replay.last]
  if (onDisk.length === 0) out.push('Nothing would be kept: no event saved.')
  else {
    out.push(
      `Kept at the end (${replay.kept.length} of ${n}; ${replay.removed.length} deleted along the way${replay.last === null ? '' : '; and last, which retention never deletes'}):`,
    )
    // Batch and step columns only when the log has batch events.
    const batches = log.events.some((e) => e.event.batch !== undefined)
    const rows = onDisk.map((s) => {
      const v = Object.hasOwn(s.record.metrics, config.monitor) ? s.record.metrics[config.monitor] : undefined
      const at = batches
        ? [String(s.record.epoch + 1), s.batch === null ? '-' : String(s.batch + 1), String(s.record.step)]
        : [String(s.record.epoch + 1)]
      return [s.record.path, ...at, v === undefined ? '-' : pyRepr(v), marks(s, replay)]
    })
    out.push(
      table(['path', ...(batches ? ['epoch', 'batch', 'step'] : ['epoch']), config.monitor, ''], rows)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    )
  }
  return `${out.join('\n')}\n`
}

const jsonSave = (s: ReplayedSave, replay: RetentionReplay) => ({
  path: s.record.path,
  epoch: s.record.epoch,
  batch: s.batch,
  step: s.record.step,
  time: s.timed ? s.record.time : null,
  metrics: jsonMetrics(s.record.metrics),
  score: s.record.score === null ? null : jsonNumber(s.record.score),
  best: s === replay.best,
  latest: s === newest(replay),
})

const jsonReport = (log: TrainingLog, config: PolicyConfig, decisions: ReadonlyArray<SimulatedDecision>, replay: RetentionReplay) =>
  toJson({
    source: log.source,
    kind: log.kind,
    policy: {
      filepath: config.filepath,
      monitor: config.monitor,
      mode: config.mode,
      saveBestOnly: config.saveBestOnly,
      saveFreq: config.saveFreq,
    },
    retention: config.retention,
    decisions: decisions.map((d, i) => {
      const { line, event } = log.events[i]!
      return {
        line,
        epoch: event.epoch,
        batch: event.batch ?? null,
        save: d.save,
        path: d.path,
        last: d.last ?? null,
        failed: d.failed === undefined ? null : failureReason(config, event.logs, event.batch !== undefined, d.failed),
        messages: d.messages,
      }
    }),
    saves: replay.saves.length,
    kept: replay.kept.map((s) => jsonSave(s, replay)),
    removed: replay.removed.map((s) => s.record.path),
    best: replay.best?.record.path ?? null,
    latest: newest(replay)?.record.path ?? null,
    last: replay.last === null ? null : jsonSave(replay.last, replay),
    wouldStop: wouldStop(config, log, decisions),
  })

export const simulateCommand: Command = defineCommand({
  name: 'simulate',
  summary: 'replay a training log (Keras CSVLogger or JSON lines) through a policy',
  help,
  flags: {
    config: { type: 'string' },
    csv: { type: 'string' },
    events: { type: 'string' },
    separator: { type: 'string' },
    json: { type: 'boolean' },
    dot: { type: 'boolean' },
    svg: { type: 'boolean' },
    'saves-only': { type: 'boolean' },
    'keep-going': { type: 'boolean' },
  },
  positionals: { min: 0, max: 0, names: 'no positional arguments (use --config, and --csv or --events)' },
  async run(a: ParsedArgs, io: CliIO) {
    const configPath = stringFlag(a, 'config')
    const csv = stringFlag(a, 'csv')
    const events = stringFlag(a, 'events')
    const separator = stringFlag(a, 'separator') ?? ','
    if (configPath === undefined) return E.left(usageError('simulate', 'missing --config POLICY.json'))
    if ((csv === undefined) === (events === undefined))
      return E.left(usageError('simulate', 'give exactly one of --csv TRAINING.log or --events HISTORY.jsonl'))
    const badSeparator = separatorProblem(separator)
    if (badSeparator !== null) return E.left(usageError('simulate', badSeparator))
    const outputs = (['json', 'dot', 'svg'] as const).filter((f) => boolFlag(a, f))
    if (outputs.length > 1)
      return E.left(usageError('simulate', `give at most one of --json, --dot and --svg (got --${outputs.join(' and --')})`))
    if (a.flags.separator !== undefined && csv === undefined)
      return E.left(usageError('simulate', '--separator applies to --csv logs only'))

    const policy = await readPolicyFile(configPath)
    if (E.isLeft(policy)) return policy
    const log = csv !== undefined ? await readTrainingLog(csv, 'csv', separator) : await readTrainingLog(events!, 'jsonl')
    if (E.isLeft(log)) return log
    // Replayed to the end in any case; without --keep-going only up to where training would stop is reported.
    const replayed = replayLog(policy.right, log.right, { keepGoing: true })
    if (E.isLeft(replayed)) return replayed

    const config = policy.right.config
    const { decisions, retention } = replayed.right
    const savesOnly = boolFlag(a, 'saves-only')
    for (const w of config.warnings) io.stderr.write(`ckpt simulate: warning: ${escapeLines(w)}\n`)
    const stop = wouldStop(config, log.right, decisions)
    if (stop !== null && !boolFlag(a, 'keep-going')) {
      io.stderr.write(
        `ckpt simulate: ${escapeLines(stop)}\n  (Keras raises there and training stops; --keep-going replays the rest, marking each save that would fail)\n`,
      )
      return E.right(EXIT.problem)
    }
    const output = outputs[0]
    io.stdout.write(
      output === 'json'
        ? jsonReport(log.right, config, decisions, retention)
        : output === 'dot'
          ? flowDot(replayFlow(policy.right, log.right, replayed.right, savesOnly))
          : output === 'svg'
            ? flowSvg(replayFlow(policy.right, log.right, replayed.right, savesOnly))
            : escapeLines(humanReport(log.right, configPath, config, decisions, retention, savesOnly)),
    )
    if (stop === null) return E.right(EXIT.ok)
    io.stderr.write(`ckpt simulate: ${escapeLines(stop)}; --keep-going replayed the rest\n`)
    return E.right(EXIT.problem)
  },
})
