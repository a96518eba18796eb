import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { initialPolicyState, policyReducer, simulate } from '../../src/policy/index.js'
import { config, left, right } from './helpers.js'

describe('the values a filename template sees', () => {
  it('epoch + 1 as a Python int ({epoch:03d} works), log values as Python floats', () => {
    const out = right(
      simulate({ filepath: 'e{epoch:03d}-{val_loss}-{acc:.1%}.keras', monitor: 'acc' }, [{ epoch: 9, logs: { val_loss: 1e-5, acc: 0.5 } }]),
    )
    expect(out[0]!.path).toBe('e010-1e-05-50.0%.keras')
  })
  it('a whole-number float log renders as a Python float (1.0), not an int', () => {
    const out = right(simulate({ filepath: '{loss}.keras', monitor: 'loss' }, [{ epoch: 0, logs: { loss: 1 } }]))
    expect(out[0]!.path).toBe('1.0.keras')
  })
  it('batch + 1 as a Python int on batch-level saves', () => {
    const out = right(
      simulate({ filepath: 'b{batch:04d}.keras', saveFreq: 1, monitor: 'loss' }, [{ epoch: 0, batch: 41, logs: { loss: 1 } }]),
    )
    expect(out[0]!.path).toBe('b0042.keras')
  })
  it('a batch key in the logs wins over the batch index (Keras passes logs unchanged then)', () => {
    const out = right(
      simulate({ filepath: 'b{batch}.keras', saveFreq: 1, monitor: 'loss' }, [{ epoch: 0, batch: 41, logs: { loss: 1, batch: 7 } }]),
    )
    expect(out[0]!.path).toBe('b7.0.keras')
  })
  it("a missing key is a Left carrying Keras's message, even when the decision would be a skip", () => {
    const c = config({ filepath: '{val_acc}.keras', saveBestOnly: true, initialValueThreshold: -Infinity, monitor: 'val_loss' })
    const e = left(policyReducer(c)(initialPolicyState(c), { kind: 'epoch', epoch: 0, logs: { val_loss: 1 } }))
    expect(e._tag).toBe('TemplateRenderError')
    expect(e.message.startsWith('Failed to format this callback filepath: "{val_acc}.keras". Reason: ')).toBe(true)
    if (e._tag === 'TemplateRenderError') expect(e.field).toBe('val_acc')
  })
  it('simulate reports the render failure as a filepath configuration error naming the event', () => {
    const e = left(
      simulate({ filepath: '{val_acc}.keras' }, [
        { epoch: 0, logs: { val_loss: 1 } },
        { epoch: 1, logs: { val_loss: 1 } },
      ]),
    )
    expect(e.option).toBe('filepath')
    expect(e.accepted).toContain('event 0, epoch 0')
  })
  it('no render happens on events that are not save candidates', () => {
    const c = config({ filepath: '{val_acc}.keras' })
    const r = policyReducer(c)(initialPolicyState(c), { kind: 'batch', epoch: 0, batch: 0, logs: {} })
    expect(E.isRight(r)).toBe(true)
  })
  it("a log key 'epoch' is rejected (Python raises TypeError: multiple values for 'epoch')", () => {
    const c = config({ filepath: '{epoch}.keras', monitor: 'loss' })
    expect(left(policyReducer(c)(initialPolicyState(c), { kind: 'epoch', epoch: 0, logs: { epoch: 3 } }))._tag).toBe('InvalidEvent')
  })
  it('malformed events are Lefts naming the field', () => {
    const c = config({ filepath: 'm.keras', monitor: 'loss' })
    const step = policyReducer(c)
    const s = initialPolicyState(c)
    expect(left(step(s, { kind: 'epoch', epoch: -1, logs: {} })).message).toBe(
      'event.epoch: got -1; expected a 0-based integer epoch index',
    )
    expect(left(step(s, { kind: 'batch', epoch: 0, logs: {} })).message).toBe(
      'event.batch: got undefined; expected a 0-based integer batch index on a batch event',
    )
    expect(left(step(s, { kind: 'epoch', epoch: 0, logs: { loss: '1' as unknown as number } })).message).toBe(
      'event.logs.loss: got "1"; expected a number',
    )
    expect(left(simulate({ filepath: 'm.keras', monitor: 'loss' }, [{ epoch: 0.5, logs: {} }])).option).toBe('events[0].epoch')
  })
})
