import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { finishedSavingMessage, initialPolicyState, policyReducer, simulate, type TrainingEvent } from '../../src/policy/index.js'
import { config, right } from './helpers.js'

const epoch = (e: number, logs: Record<string, number>): TrainingEvent => ({ kind: 'epoch', epoch: e, logs })

describe("Keras 3.15's verbose lines, exactly (without the leading newline)", () => {
  it('saving model / finished saving, when saveBestOnly is false', () => {
    const out = right(
      simulate({ filepath: 'm-{epoch:02d}-{val_loss:.2f}.keras', verbose: 1 }, [{ epoch: 0, logs: { val_loss: 0.123456 } }]),
    )
    expect(out).toEqual([
      {
        save: true,
        path: 'm-01-0.12.keras',
        messages: ['Epoch 1: saving model to m-01-0.12.keras', 'Epoch 1: finished saving model to m-01-0.12.keras'],
      },
    ])
  })
  it('improved from None, improved from {best:.5f}, did not improve from {best:.5f}', () => {
    const out = right(
      simulate({ filepath: 'best.keras', saveBestOnly: true, verbose: 1 }, [
        { epoch: 0, logs: { val_loss: 0.5 } },
        { epoch: 1, logs: { val_loss: 0.25 } },
        { epoch: 2, logs: { val_loss: 0.3 } },
      ]),
    )
    expect(out.map((d) => d.messages)).toEqual([
      ['Epoch 1: val_loss improved from None to 0.50000, saving model to best.keras', 'Epoch 1: finished saving model to best.keras'],
      ['Epoch 2: val_loss improved from 0.50000 to 0.25000, saving model to best.keras', 'Epoch 2: finished saving model to best.keras'],
      ['Epoch 3: val_loss did not improve from 0.25000'],
    ])
    expect(out.map((d) => d.save)).toEqual([true, true, false])
  })
  it('formats with Python .5f: round-half-even on exact binary ties, inf, large values', () => {
    const out = right(
      simulate({ filepath: 'b.keras', saveBestOnly: true, verbose: 1, monitor: 'loss', initialValueThreshold: Infinity }, [
        { epoch: 0, logs: { loss: 0.015625 } }, // 2^-6: exact tie at the 5th decimal
        { epoch: 1, logs: { loss: -1e22 } },
      ]),
    )
    expect(out[0]!.messages[0]).toBe('Epoch 1: loss improved from inf to 0.01562, saving model to b.keras')
    expect(out[1]!.messages[0]).toBe('Epoch 2: loss improved from 0.01562 to -10000000000000000000000.00000, saving model to b.keras')
  })
  it('batch-level saves still say "Epoch" with the 1-based epoch', () => {
    const out = right(
      simulate({ filepath: 'm-{epoch}-{batch}.keras', saveFreq: 2, verbose: 1, monitor: 'loss' }, [
        { epoch: 2, batch: 0, logs: { loss: 1 } },
        { epoch: 2, batch: 1, logs: { loss: 1 } },
      ]),
    )
    expect(out[1]!.messages).toEqual(['Epoch 3: saving model to m-3-2.keras', 'Epoch 3: finished saving model to m-3-2.keras'])
  })
  it('finishedSavingMessage takes the 0-based epoch, as in events and Save.epoch', () => {
    expect(finishedSavingMessage(0, 'a/b.keras')).toBe('Epoch 1: finished saving model to a/b.keras')
  })
  it('verbose 0 emits no lines at all', () => {
    const out = right(
      simulate({ filepath: 'best.keras', saveBestOnly: true }, [
        { epoch: 0, logs: { val_loss: 1 } },
        { epoch: 1, logs: { val_loss: 2 } },
      ]),
    )
    expect(out).toEqual([
      { save: true, path: 'best.keras', messages: [] },
      { save: false, path: null, messages: [] },
    ])
  })
  it('the missing-monitor warning is emitted whatever verbose is, as a warning not a message', () => {
    for (const verbose of [0, 1]) {
      const c = config({ filepath: 'best.keras', saveBestOnly: true, verbose })
      const r = right(policyReducer(c)(initialPolicyState(c), epoch(0, { loss: 1 })))
      // Keras's warning exactly, then ckpt's own line (once a run: test/policy/monitor-missing.test.ts).
      const keras = 'Can save best model only with val_loss available, skipping.'
      const ckpt = 'ckpt: the logs hold loss; none is named val_loss'
      expect(r[1]).toEqual({ _tag: 'Skip', messages: [], warnings: [keras, ckpt] })
      const s = right(simulate({ filepath: 'best.keras', saveBestOnly: true, verbose }, [{ epoch: 0, logs: { loss: 1 } }]))
      expect(s[0]!.messages).toEqual([keras, ckpt])
    }
  })
  it('Save decisions carry the Keras line in messages, not the finished line (the shell adds it after commit)', () => {
    const c = config({ filepath: 'm.keras', verbose: 1, monitor: 'loss' })
    const r = policyReducer(c)(initialPolicyState(c), epoch(4, { loss: 0.5 }))
    expect(E.isRight(r) && r.right[1]).toMatchObject({
      _tag: 'Save',
      path: 'm.keras',
      messages: ['Epoch 5: saving model to m.keras'],
      warnings: [],
      epoch: 4,
      score: 0.5,
    })
  })
})
