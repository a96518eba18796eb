import * as E from '#fp-ts/Either.js'
import { basename } from 'node:path'
import { entryRecord, regularEntries } from '../checkpointer/entries.js'
import type { Entry, IndexDoc } from '../checkpointer/index.js'
import { batchesAdded, bestOf, rankValue } from '../policy/index.js'
import type { MarkKind, Timeline, TimelinePoint } from '../report/timeline.js'
import { stringFlag, type ParsedArgs } from './args.js'
import { bestRule, type BestRule } from './best-rule.js'
import { usageError, type CliError } from './errors.js'
import { writeTextFile } from './files.js'
import { asCliError, readIndex } from './index-reader.js'
import type { CliIO } from './io.js'
import { locationFlags, locationHelp, openLocationOf, type Location } from './location.js'
import { readTrainingLog, separatorProblem } from './log-file.js'
import { tracePolicy } from './policy-trace.js'
import { escapeText, pyRepr, shortNumber } from './render.js'
import { readPolicyFile, replayLog, type LogReplay, type PolicyFile } from './replay-log.js'
import type { LoggedEvent, TrainingLog } from './training-log.js'

/** The flags of the commands that draw a run (`plot`, `report`). */
export const runFlags = {
  ...locationFlags,
  log: { type: 'string' },
  separator: { type: 'string' },
  config: { type: 'string' },
  metric: { type: 'string' },
  title: { type: 'string' },
  out: { type: 'string' },
} as const

export const runHelp = `  --log FILE        the run's training log: a Keras CSVLogger file or a JSON-lines history (told apart
                    by content), as simulate reads them; draws the whole training curve
  --separator C     the CSV separator of --log; default ","
  --config FILE     the policy and retention options the run used (simulate's --config): replays --log
                    through them to mark every save, skip and retention deletion (the index keeps only
                    the checkpoints that survive, not the decisions)
  --metric NAME     the metric to draw; default: the monitor the index records
  --title TEXT      the title; default: the location and the metric`

/** How a log line or a checkpoint is drawn. */
interface Drawn {
  readonly x: number
  /** The metric's value, NaN when the logs lack it (`has` tells a missing value from a NaN one). */
  readonly y: number
  readonly has: boolean
  mark: MarkKind | null
  kept: boolean
  best: boolean
  readonly where: string
  what: string[]
}

/** A run as the pictures show it: the index, the log and replay if given, the timeline, and what could not be told. */
export interface RunView {
  readonly location: string
  readonly doc: IndexDoc
  readonly rule: BestRule
  readonly best: Entry | null
  readonly latest: Entry | null
  readonly metric: string
  readonly policy: PolicyFile | null
  readonly log: TrainingLog | null
  readonly timeline: Timeline
  readonly counts: {
    readonly events: number
    readonly save: number
    readonly skip: number
    readonly deleted: number
    readonly kept: number
  }
  /** What the picture cannot show, and why (also printed on stderr). */
  readonly notes: ReadonlyArray<string>
}

const key = (epoch: number, batch: number | null | undefined): string => `${epoch}/${batch ?? ''}`

/**
 * The log's events with repeats dropped: a resumed run that appends to its log (CSVLogger's `append=True`) writes
 * the epochs after its checkpoint again, and the later lines are the ones its checkpoints came from.
 */
const latestLines = (log: TrainingLog): { events: ReadonlyArray<LoggedEvent>; repeated: number } => {
  const last = new Map<string, number>()
  log.events.forEach((e, i) => last.set(key(e.event.epoch, e.event.batch), i))
  const events = log.events.filter((e, i) => last.get(key(e.event.epoch, e.event.batch)) === i)
  return { events, repeated: log.events.length - events.length }
}

const at = (epoch: number, batch: number | null | undefined): string => `epoch ${epoch + 1}${batch == null ? '' : ` batch ${batch + 1}`}`

export interface RunInput {
  readonly location: string
  readonly doc: IndexDoc
  readonly rebuilt: string | null
  readonly log: TrainingLog | null
  readonly policy: PolicyFile | null
  readonly replay: LogReplay | null
  readonly metric: string | undefined
  readonly title: string | undefined
}

/** Builds the timeline of a run from its index, and its log and policy replay when given. */
export const runView = (input: RunInput): E.Either<CliError, RunView> => {
  const { doc, log, policy, replay } = input
  const entries = doc.checkpoints
  const rule = bestRule(doc, undefined, undefined)
  const metric = input.metric ?? rule.ranking?.monitor ?? policy?.config.monitor
  if (metric === undefined)
    return E.left(
      usageError(null, `cannot tell which metric to draw (${rule.ranking === null ? rule.why : 'no monitor'}): pass --metric NAME`),
    )
  const best = rule.ranking === null ? null : bestOf(rule.ranking, regularEntries(entries), entryRecord)
  const notes: string[] = []
  if (input.rebuilt !== null) notes.push('The index was lost and is rebuilt from a scan of the checkpoints.')

  const lines = log === null ? null : latestLines(log)
  if (lines !== null && lines.repeated > 0)
    notes.push(`${lines.repeated} log lines repeat an earlier epoch (a resumed run); the later ones are drawn.`)
  const removing = doc.removing
  const stepAxis =
    (lines?.events.some((e) => e.event.batch !== undefined) ?? false) || [...entries, ...removing].some((e) => e.batch !== null)

  const drawn: Drawn[] = []
  const byKey = new Map<string, Drawn>()
  // An own key only: a metric named `toString` is not Object.prototype's function.
  const valueOf = (logs: Readonly<Record<string, number>>): number => (Object.hasOwn(logs, metric) ? logs[metric]! : NaN)
  if (lines !== null) {
    let step = 0
    let lastBatch: number | null = null
    for (const { event } of lines.events) {
      if (event.batch !== undefined) {
        step += batchesAdded(lastBatch, event.batch)
        lastBatch = event.batch
      }
      const d: Drawn = {
        x: stepAxis ? step : event.epoch + 1,
        y: valueOf(event.logs),
        has: Object.hasOwn(event.logs, metric),
        mark: null,
        kept: false,
        best: false,
        where: at(event.epoch, event.batch),
        what: [],
      }
      drawn.push(d)
      byKey.set(key(event.epoch, event.batch), d)
    }
  }
  // A checkpoint is drawn at its log line; without one (no log, or a line it lacks), at its own epoch or step.
  const place = (e: Entry): { d: Drawn; inLog: boolean } => {
    const found = byKey.get(key(e.epoch, e.batch))
    if (found !== undefined) return { d: found, inLog: true }
    const d: Drawn = {
      x: stepAxis ? e.step : e.epoch + 1,
      y: valueOf(e.metrics),
      has: Object.hasOwn(e.metrics, metric),
      mark: null,
      kept: false,
      best: false,
      where: at(e.epoch, e.batch),
      what: [],
    }
    drawn.push(d)
    byKey.set(key(e.epoch, e.batch), d)
    return { d, inLog: false }
  }

  if (replay !== null && policy !== null && lines !== null) {
    // The decisions are the replay's: the index records only the checkpoints that survive.
    const trace = tracePolicy(
      policy.config,
      lines.events.map((e) => e.event),
    )
    const saveAt = new Map(replay.retention.saves.map((s) => [s.index, s]))
    lines.events.forEach((_, i) => {
      const d = drawn[i]!
      const save = saveAt.get(i)
      if (save !== undefined) {
        const by = replay.retention.deletedBy.get(save)
        d.mark = by === undefined ? 'save' : 'deleted'
        d.what.push(`save ${escapeText(save.record.path)}`)
        if (by !== undefined) {
          const ev = lines.events[by.index]!.event
          d.what.push(`deleted by retention at ${at(ev.epoch, ev.batch)}`)
        }
      } else if (trace[i]?.candidate === true) {
        d.mark = 'skip'
        d.what.push('skip')
      }
    })
    // The replay is retention's: the `last` checkpoint of saveLast is not in it.
    const replayed = new Set(replay.retention.kept.map((s) => s.record.path))
    const regular = regularEntries(entries)
    if (replayed.size !== regular.length || regular.some((e) => !replayed.has(e.path)))
      notes.push('The replay keeps other checkpoints than the index holds (another log or policy?); kept and best are the index’s.')
  } else {
    notes.push(
      log === null
        ? 'Skips and deletions are not in the index: give --log and --config to see them.'
        : 'Skips and deletions are not in the index: give --config to replay the policy.',
    )
    for (const e of removing) {
      const { d } = place(e)
      d.mark = 'deleted'
      d.what.push(`${escapeText(e.path)}: deleted by retention (its files are removed by the next writer)`)
    }
  }
  let missing = 0
  for (const e of entries) {
    const { d, inLog } = place(e)
    if (!inLog && lines !== null) missing++
    if (d.mark === null) d.mark = 'save'
    d.kept = true
    d.best = e === best
    d.what.push(`kept: ${escapeText(e.path)}${e === best ? ' (best)' : ''}`)
  }
  if (missing > 0) notes.push(`${missing} kept checkpoint${missing === 1 ? ' is' : 's are'} not in the log; drawn from the index.`)

  if (drawn.length > 0 && !drawn.some((d) => d.has)) {
    const held = new Set<string>()
    for (const e of lines?.events ?? []) for (const k of Object.keys(e.event.logs)) held.add(k)
    for (const e of entries) for (const k of Object.keys(e.metrics)) held.add(k)
    const names = [...held].sort()
    return E.left(
      usageError(
        null,
        `no ${log === null ? 'checkpoint' : 'log line or checkpoint'} has the metric ${JSON.stringify(metric)}; ${
          names.length === 0
            ? 'they hold no metric'
            : `they hold: ${names.slice(0, 20).map(escapeText).join(', ')}${names.length > 20 ? ', …' : ''}`
        } (pass --metric NAME)`,
      ),
    )
  }
  const count = (f: (d: Drawn) => boolean) => drawn.filter(f).length
  const counts = {
    events: lines?.events.length ?? entries.length,
    save: count((d) => d.mark === 'save' || d.mark === 'deleted'),
    skip: count((d) => d.mark === 'skip'),
    deleted: count((d) => d.mark === 'deleted'),
    kept: entries.length,
  }
  // A log line without the metric and without a mark (a batch end's logs) is not drawn.
  const points: TimelinePoint[] = drawn
    .filter((d) => d.has || d.mark !== null || d.kept)
    .map((d) => ({
      x: d.x,
      y: d.y,
      mark: d.mark,
      kept: d.kept,
      best: d.best,
      title: `${d.where}: ${escapeText(metric)} = ${Number.isNaN(d.y) ? 'none' : pyRepr(d.y)}${d.what.length === 0 ? '' : `; ${d.what.join('; ')}`}`,
    }))

  const per = stepAxis ? 'step' : 'epoch'
  const monitor =
    rule.ranking === null ? `best: unknown (${escapeText(rule.why)})` : `monitor ${escapeText(rule.ranking.monitor)} (${rule.ranking.mode})`
  const source =
    log === null ? `${entries.length} checkpoints in the index` : `${counts.events} ${per}s in ${escapeText(basename(log.source))}`
  const decided =
    replay === null
      ? `${counts.kept} kept`
      : `${counts.save} saves, ${counts.skip} skips, ${counts.deleted} deleted by retention, ${counts.kept} kept`
  const bestText =
    best === null ? null : `best ${at(best.epoch, best.batch)}: ${shortNumber(rankValue(rule.ranking!, entryRecord(best)), 6)}`
  const timeline: Timeline = {
    title: escapeText(input.title ?? `${input.location}: ${metric} per ${per}`),
    subtitle: [monitor, source, decided, bestText].filter((s) => s !== null).join(' · '),
    xLabel: per,
    yLabel: escapeText(metric),
    integerX: !stepAxis,
    curve: log === null ? 'index' : 'log',
    points,
    notes,
  }
  return E.right({
    location: input.location,
    doc,
    rule,
    best,
    latest: entries.at(-1) ?? null,
    metric,
    policy,
    log,
    timeline,
    counts,
    notes,
  })
}

/** The checks and reads `plot` and `report` share: flags, `--config` and `--log`, then the location's index. */
export const loadRun = async (
  command: string,
  a: ParsedArgs,
  io: CliIO,
): Promise<E.Either<CliError, { readonly view: RunView; readonly location: Location }>> => {
  const logPath = stringFlag(a, 'log')
  const configPath = stringFlag(a, 'config')
  const separator = stringFlag(a, 'separator') ?? ','
  const metric = stringFlag(a, 'metric')
  if (metric === '') return E.left(usageError(command, '--metric: expected a metric name'))
  const bad = separatorProblem(separator)
  if (bad !== null) return E.left(usageError(command, bad))
  if (a.flags.separator !== undefined && logPath === undefined) return E.left(usageError(command, '--separator applies to --log only'))
  if (configPath !== undefined && logPath === undefined)
    return E.left(usageError(command, '--config replays the training log: give --log too'))
  const policy = configPath === undefined ? null : await readPolicyFile(configPath)
  if (policy !== null && E.isLeft(policy)) return policy
  const log = logPath === undefined ? null : await readTrainingLog(logPath, 'auto', separator)
  if (log !== null && E.isLeft(log)) return log
  let replay: LogReplay | null = null
  let logged: TrainingLog | null = null
  if (log !== null) {
    const { events } = latestLines(log.right)
    logged = { ...log.right, events }
    if (policy !== null) {
      const r = replayLog(policy.right, logged)
      if (E.isLeft(r)) return r
      replay = r.right
    }
  }
  const location = await openLocationOf(command, a.positionals[0]!, a, io)
  if (E.isLeft(location)) return location
  const index = await readIndex(location.right)
  if (E.isLeft(index)) {
    await location.right.storage.close().catch(() => undefined)
    return E.left(asCliError(index.left))
  }
  const view = runView({
    location: location.right.display,
    doc: index.right.doc,
    rebuilt: index.right.rebuilt,
    log: log === null ? null : log.right,
    policy: policy === null ? null : policy.right,
    replay,
    metric,
    title: stringFlag(a, 'title'),
  })
  if (E.isLeft(view)) {
    await location.right.storage.close().catch(() => undefined)
    return E.left(view.left._tag === 'UsageError' ? { ...view.left, command } : view.left)
  }
  return E.right({ view: view.right, location: location.right })
}

/**
 * Writes a drawing to `--out FILE` (whole, then renamed) and prints the summary line naming it; without `--out` (or
 * with `--out -`), the drawing itself goes to stdout.
 */
export const emitDrawing = async (a: ParsedArgs, io: CliIO, text: string, summary: string): Promise<E.Either<CliError, void>> => {
  const out = stringFlag(a, 'out')
  if (out === undefined || out === '-') {
    io.stdout.write(text)
    return E.right(undefined)
  }
  const written = await writeTextFile(out, text)
  if (E.isRight(written)) io.stdout.write(`${escapeText(out)}: ${summary}\n`)
  return written
}

export { locationHelp }
