/**
 * A monitor the logs lack (`vall_loss` passes auto mode: it ends in "loss"): besides Keras's warning at every such
 * save opportunity, ckpt says once a run what the logs hold, and the nearest name. The reducer stays pure: the line is
 * a warning of its decision, and the state remembers that the check was made (so a resumed run does not repeat it).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodePolicyState, initialPolicyState, policyReducer, type PolicyState, type TrainingEvent } from '../../src/policy/index.js'
import { config, right } from './helpers.js'

const KERAS = (monitor: string) => `Can save best model only with ${monitor} available, skipping.`
const isNote = (w: string) => w.startsWith('ckpt: the logs hold ')

const METRICS = ['loss', 'acc', 'val_loss', 'val_acc', 'lr'] as const
const value = fc.oneof({ weight: 9, arbitrary: fc.double({ min: -5, max: 5, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(NaN) })
/** Epoch ends whose logs hold any subset of METRICS, so the monitor may be there from the start, later, or never. */
const trace = fc
  .array(fc.dictionary(fc.constantFrom(...METRICS), value, { maxKeys: METRICS.length }), { minLength: 1, maxLength: 15 })
  .map((logs) => logs.map((l, epoch): TrainingEvent => ({ kind: 'epoch', epoch, logs: l })))
const monitor = fc.constantFrom('val_loss', 'vall_loss', 'loss', 'val_acc', 'accuracy')

/** Replays `events`, going through JSON and decodePolicyState before event `cut` (a resumed run); warnings per event. */
const replay = (options: Record<string, unknown>, events: ReadonlyArray<TrainingEvent>, cut: number) => {
  const c = config(options)
  const step = policyReducer(c)
  let state: PolicyState = initialPolicyState(c)
  const warnings: Array<ReadonlyArray<string>> = []
  events.forEach((event, i) => {
    if (i === cut) state = right(decodePolicyState(JSON.parse(JSON.stringify(state))))
    const [next, decision] = right(step(state, event))
    warnings.push(decision.warnings)
    state = next
  })
  return { warnings, state }
}

describe('a monitor the logs lack: ckpt lists what they hold, once a run', () => {
  it('the note comes at most once, at the first save opportunity and only if its logs lack the monitor; Keras warns as before', () => {
    fc.assert(
      fc.property(trace, monitor, fc.nat(), (events, monitor, cutAt) => {
        const { warnings } = replay({ filepath: 'b.keras', monitor, mode: 'min', saveBestOnly: true }, events, cutAt % events.length)
        const notes = warnings.flatMap((w, i) => w.filter(isNote).map((note) => ({ i, note })))
        const firstLogs = events[0]!.logs
        if (monitor in firstLogs) expect(notes).toEqual([])
        else {
          expect(notes).toHaveLength(1)
          expect(notes[0]!.i).toBe(0)
        }
        events.forEach((e, i) => {
          const v = e.logs[monitor]
          // Keras's own line, exactly, first; only the note may follow it.
          expect(warnings[i]![0]).toBe(v === undefined || Number.isNaN(v) ? KERAS(monitor) : undefined)
          expect(warnings[i]!.slice(1).every(isNote)).toBe(true)
        })
      }),
    )
  })
  it('the note names the keys the logs hold, and the nearest when it looks like a typo', () => {
    const { warnings } = replay(
      { filepath: 'b.keras', monitor: 'vall_loss', mode: 'min', saveBestOnly: true },
      [0, 1, 2].map((epoch) => ({
        kind: 'epoch' as const,
        epoch,
        logs: { loss: 1, val_loss: 2, acc: 0.5 },
      })),
      -1,
    )
    expect(warnings).toEqual([
      [KERAS('vall_loss'), 'ckpt: the logs hold loss, val_loss, acc; none is named vall_loss; did you mean val_loss?'],
      [KERAS('vall_loss')],
      [KERAS('vall_loss')],
    ])
    const far = replay(
      { filepath: 'b.keras', monitor: 'val_f1', mode: 'max', saveBestOnly: true },
      [{ kind: 'epoch', epoch: 0, logs: { loss: 1 } }],
      -1,
    )
    expect(far.warnings[0]).toEqual([KERAS('val_f1'), 'ckpt: the logs hold loss; none is named val_f1'])
    const empty = replay({ filepath: 'b.keras', saveBestOnly: true }, [{ kind: 'epoch', epoch: 0, logs: {} }], -1)
    expect(empty.warnings[0]).toEqual([KERAS('val_loss'), 'ckpt: the logs hold no metrics; none is named val_loss'])
  })
  it('a monitor found at the first save opportunity and missing later gets the Keras warning alone', () => {
    const events: TrainingEvent[] = [
      { kind: 'epoch', epoch: 0, logs: { loss: 1, val_loss: 1 } },
      { kind: 'epoch', epoch: 1, logs: { loss: 1 } },
    ]
    expect(replay({ filepath: 'b.keras', saveBestOnly: true }, events, -1).warnings).toEqual([[], [KERAS('val_loss')]])
  })
  it('batch events before the first save opportunity do not count: the check is at the opportunity', () => {
    const events: TrainingEvent[] = [
      { kind: 'batch', epoch: 0, batch: 0, logs: { loss: 1 } },
      { kind: 'batch', epoch: 0, batch: 1, logs: { loss: 1 } },
    ]
    const { warnings, state } = replay(
      { filepath: 'b-{batch}.keras', monitor: 'los', mode: 'min', saveFreq: 2, saveBestOnly: true },
      events,
      -1,
    )
    expect(warnings).toEqual([[], [KERAS('los'), 'ckpt: the logs hold loss; none is named los; did you mean loss?']])
    expect(state.monitorChecked).toBe(true)
  })
  it('with saveTopK, which ranks by the monitor, the save carries the note alone, once: Keras warns nothing there', () => {
    const events = [0, 1, 2].map((epoch): TrainingEvent => ({ kind: 'epoch', epoch, logs: { loss: 1, val_loss: 2 } }))
    const { warnings, state } = replay({ filepath: 'm{epoch}.keras', monitor: 'vall_loss', saveTopK: 2 }, events, 1)
    expect(warnings).toEqual([['ckpt: the logs hold loss, val_loss; none is named vall_loss; did you mean val_loss?'], [], []])
    expect(state.monitorChecked).toBe(true)
    const found = replay({ filepath: 'm{epoch}.keras', monitor: 'val_loss', saveTopK: 2 }, events, -1)
    expect(found.warnings).toEqual([[], [], []])
  })
  it('without saveBestOnly or saveTopK the monitor is not checked and the state does not change shape', () => {
    const { warnings, state } = replay({ filepath: 'm.keras', monitor: 'vall_loss' }, [{ kind: 'epoch', epoch: 0, logs: { loss: 1 } }], -1)
    expect(warnings).toEqual([[]])
    expect(Object.keys(state)).toEqual(['version', 'best', 'batchesSinceSave', 'lastBatchSeen', 'step', 'trigger'])
  })
  it('a state from before the check (no monitorChecked key) decodes, and a resumed run then checks once', () => {
    const old = { version: 1, best: 0.5, batchesSinceSave: 0, lastBatchSeen: null, step: 0, trigger: null }
    const c = config({ filepath: 'b.keras', saveBestOnly: true })
    const [next, decision] = right(policyReducer(c)(right(decodePolicyState(old)), { kind: 'epoch', epoch: 3, logs: { loss: 1 } }))
    expect(decision.warnings).toEqual([KERAS('val_loss'), 'ckpt: the logs hold loss; none is named val_loss'])
    expect(next.monitorChecked).toBe(true)
    expect(right(decodePolicyState(JSON.parse(JSON.stringify(next))))).toEqual(next)
    expect(() => right(decodePolicyState({ ...old, monitorChecked: false }))).toThrow(
      /state\.monitorChecked: got false; expected true, or no key/,
    )
  })
})
