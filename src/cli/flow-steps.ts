import type { PolicyConfig } from '../policy/index.js'
import type { Flow, FlowStep, FlowGap } from '../report/flow.js'
import type { PolicyFile, LogReplay } from './replay-log.js'
import type { ReplayedSave } from './replay.js'
import { tracePolicy } from './policy-trace.js'
import { digitsApart, escapeText, shortNumber } from './render.js'
import type { LoggedEvent, TrainingLog } from './training-log.js'

/** Up to this many decisions, each is drawn; beyond, runs of skips become one node each. */
export const FLOW_ALL_DECISIONS = 100
/** Runs of at least this many consecutive skips collapse (in a long replay). */
const COLLAPSE_RUN = 3
/** After collapsing, at most this many nodes: the first and last halves are drawn, the middle is one gap node. */
export const FLOW_MAX_NODES = 300

const where = (ev: LoggedEvent['event']): string => `Epoch ${ev.epoch + 1}${ev.batch === undefined ? '' : ` batch ${ev.batch + 1}`}`
const whereLower = (ev: LoggedEvent['event']): string => where(ev).replace(/^E/, 'e')

/** One decision to draw, before collapsing. */
interface Decided {
  readonly index: number
  readonly save: boolean
  readonly step: FlowStep
  /** The monitored value (NaN when missing) and the best it was compared with, for collapsing runs of skips. */
  readonly value: number
  readonly bestBefore: number | null
}

/**
 * The comparison that decided, as the arrow's label: `0.5 < 0.6` (an improvement in mode min), `0.55 > 0.5` (none),
 * with `− minDelta` / `+ minDelta` when it is set; Keras's unset best is `inf` (min) or `-inf` (max).
 * Also the digits the two numbers need to read differently, for the node's value.
 */
const comparison = (config: PolicyConfig, current: number, best: number | null, saved: boolean): { text: string; sig: number } => {
  const b = best ?? (config.mode === 'min' ? Infinity : -Infinity)
  const sig = digitsApart(current, b)
  const d = config.minDelta
  const shifted = config.mode === 'min' ? current + d : current - d
  const relation = saved ? (config.mode === 'min' ? '<' : '>') : shifted === b ? '=' : config.mode === 'min' ? '>' : '<'
  const delta = d === 0 ? '' : ` ${config.mode === 'min' ? '−' : '+'} ${shortNumber(d, sig)}`
  return { text: `${shortNumber(current, sig)} ${relation} ${shortNumber(b, sig)}${delta}`, sig }
}

/** What became of a save: kept (and best), deleted by retention after a later save, or overwritten by a later one. */
const fate = (
  s: ReplayedSave,
  replay: LogReplay,
  kept: ReadonlySet<ReplayedSave>,
  log: TrainingLog,
): { line: string; deleted: boolean } => {
  const r = replay.retention
  if (kept.has(s)) return { line: s === r.best ? 'kept, best' : 'kept', deleted: false }
  const by = r.deletedBy.get(s)
  if (by !== undefined) return { line: `deleted at ${whereLower(log.events[by.index]!.event)}`, deleted: true }
  const over = r.saves.find((o) => o.index > s.index && o.record.path === s.record.path)
  return { line: over === undefined ? 'not kept' : `overwritten at ${whereLower(log.events[over.index]!.event)}`, deleted: false }
}

const decide = (config: PolicyConfig, log: TrainingLog, replay: LogReplay): Decided[] => {
  const trace = tracePolicy(
    config,
    log.events.map((e) => e.event),
  )
  const saveAt = new Map(replay.retention.saves.map((s) => [s.index, s]))
  const kept = new Set(replay.retention.kept)
  const monitor = escapeText(config.monitor)
  const out: Decided[] = []
  trace.forEach((t, i) => {
    const d = replay.decisions[i]!
    if (!t.candidate && !d.save) return
    const ev = log.events[i]!.event
    const raw = Object.hasOwn(ev.logs, config.monitor) ? ev.logs[config.monitor] : undefined
    const value = raw ?? NaN
    let edge: string
    let sig = 4
    if (!config.saveBestOnly) edge = config.saveFreq === 'epoch' ? 'every epoch' : `every ${config.saveFreq} batches`
    else if (raw === undefined) edge = `no ${monitor}`
    else if (Number.isNaN(raw)) edge = `${monitor} is nan`
    else ({ text: edge, sig } = comparison(config, raw, t.bestBefore, d.save))
    const node = [where(ev), raw === undefined ? `no ${monitor}` : `${monitor} = ${shortNumber(raw, sig)}`]
    const save = d.save ? saveAt.get(i) : undefined
    // saveLast's write at this opportunity, as one more line of the note.
    const last = d.last === undefined ? [] : [`last: ${escapeText(d.last)}`]
    const step: FlowStep =
      d.failed !== undefined
        ? {
            kind: 'step',
            node,
            outcome: 'skip',
            edge: d.failed.field === null ? 'filename fails' : `template needs ${escapeText(d.failed.field)}`,
            note: ['save fails', 'training would stop here'],
            deleted: false,
          }
        : save === undefined
          ? { kind: 'step', node, outcome: 'skip', edge, note: ['skip', ...last], deleted: false }
          : (() => {
              const f = fate(save, replay, kept, log)
              return {
                kind: 'step',
                node,
                outcome: 'save',
                edge,
                note: ['save', escapeText(save.record.path), f.line, ...last],
                deleted: f.deleted,
              }
            })()
    out.push({ index: i, save: d.save, step, value, bestBefore: t.bestBefore })
  })
  return out
}

/** A run of skips as one node: how many, their epochs, and the best of them against the best they had to beat. */
const collapsed = (config: PolicyConfig, run: ReadonlyArray<Decided>, log: TrainingLog): FlowStep => {
  const first = log.events[run[0]!.index]!.event
  const last = log.events[run[run.length - 1]!.index]!.event
  const values = run.map((d) => d.value).filter((v) => !Number.isNaN(v))
  const bestOfRun = values.reduce(
    (m, v) => (config.mode === 'min' ? Math.min(m, v) : Math.max(m, v)),
    config.mode === 'min' ? Infinity : -Infinity,
  )
  const missing = run.length - values.length
  const edge =
    values.length === 0 || !config.saveBestOnly
      ? run[0]!.step.edge
      : `best of them: ${comparison(config, bestOfRun, run[0]!.bestBefore, false).text}`
  return {
    kind: 'step',
    node: [`${where(first)} to ${whereLower(last)}`, `${run.length} decisions`],
    outcome: 'skip',
    edge,
    note: [`skip ×${run.length}`, ...(missing > 0 ? [`${missing} without ${escapeText(config.monitor)}`] : [])],
    deleted: false,
  }
}

/**
 * The replay as a flow (`ckpt simulate --dot / --svg`): a node for every decision the policy made (the save
 * opportunities: epoch ends, or every `saveFreq` batches), each with its save or skip note. A replay of more than
 * {@link FLOW_ALL_DECISIONS} decisions draws each run of 3 or more skips as one node; if more than
 * {@link FLOW_MAX_NODES} nodes remain, the middle ones become one node saying how many were left out.
 */
export const replayFlow = (policy: PolicyFile, log: TrainingLog, replay: LogReplay, savesOnly: boolean): Flow => {
  const config = policy.config
  const all = decide(config, log, replay).filter((d) => !savesOnly || d.save)
  let steps: Array<FlowStep | FlowGap> = all.map((d) => d.step)
  if (all.length > FLOW_ALL_DECISIONS) {
    steps = []
    for (let i = 0; i < all.length;) {
      let j = i
      while (j < all.length && !all[j]!.save) j++
      if (j - i >= COLLAPSE_RUN) {
        steps.push(collapsed(config, all.slice(i, j), log))
        i = j
      } else {
        steps.push(all[i]!.step)
        i++
      }
    }
  }
  if (steps.length > FLOW_MAX_NODES) {
    const half = FLOW_MAX_NODES / 2
    const middle = steps.slice(half, steps.length - half)
    const saves = middle.filter((s) => s.kind === 'step' && s.outcome === 'save').length
    steps = [
      ...steps.slice(0, half),
      { kind: 'gap', node: [`${middle.length} nodes not drawn`, `(${saves} saves among them)`, "see simulate's text output"] },
      ...steps.slice(steps.length - half),
    ]
  }
  const mode = `${escapeText(config.monitor)} (${config.mode}), ${config.saveBestOnly ? 'save best only' : 'save every time'}`
  return { title: `ckpt simulate: ${escapeText(log.source)} through ${escapeText(policy.path)}: ${mode}`, steps }
}
