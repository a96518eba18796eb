import { describe, expect, it } from 'vitest'
import { decodePolicyOptions, simulate } from '../../src/policy/index.js'
import { left, right } from './helpers.js'

describe('deliberate divergences from Keras 3.15', () => {
  it('saveBestOnly with an integer saveFreq works (Keras raises TypeError on a None monitor_op)', () => {
    const events = [0, 1, 2, 3, 4, 5].map((b) => ({ epoch: 0, batch: b, logs: { loss: [0.9, 0.8, 0.85, 0.7, 0.75, 0.72][b]! } }))
    const out = right(simulate({ filepath: 'm-{batch}.keras', saveFreq: 2, saveBestOnly: true, monitor: 'loss', verbose: 1 }, events))
    expect(out.map((d) => d.save)).toEqual([false, true, false, true, false, false])
    expect(out[5]!.messages).toEqual(['Epoch 1: loss did not improve from 0.70000'])
  })
  it('a missing monitored value skips with a warning (Keras warns and saves anyway)', () => {
    const out = right(simulate({ filepath: 'b.keras', saveBestOnly: true }, [{ epoch: 0, logs: { loss: 1 } }]))
    expect(out).toEqual([
      {
        save: false,
        path: null,
        messages: ['Can save best model only with val_loss available, skipping.', 'ckpt: the logs hold loss; none is named val_loss'],
      },
    ])
  })
  it('a NaN first value does not become the best (Keras takes it and never saves again)', () => {
    const out = right(
      simulate({ filepath: 'b.keras', saveBestOnly: true, verbose: 1 }, [
        { epoch: 0, logs: { val_loss: NaN } },
        { epoch: 1, logs: { val_loss: 2 } },
        { epoch: 2, logs: { val_loss: NaN } },
        { epoch: 3, logs: { val_loss: 1 } },
      ]),
    )
    expect(out.map((d) => d.save)).toEqual([false, true, false, true])
    expect(out[0]!.messages).toEqual(['Can save best model only with val_loss available, skipping.'])
    expect(out[3]!.messages[0]).toBe('Epoch 4: val_loss improved from 2.00000 to 1.00000, saving model to b.keras')
  })
  it('template fields that can never be filled are reported at construction (Keras fails at the first save)', () => {
    expect(left(decodePolicyOptions({ filepath: '{epoch}-{batch}.keras' })).option).toBe('filepath')
    expect(left(decodePolicyOptions({ filepath: '{val_loss}.keras', saveFreq: 3, monitor: 'loss' })).option).toBe('filepath')
  })
  it('an unknown mode is an error (Keras warns and falls back to auto)', () => {
    expect(left(decodePolicyOptions({ filepath: 'm.keras', mode: 'MIN' })).option).toBe('mode')
  })
  it('saveFreq 0, negative or boolean is an error (Keras accepts them)', () => {
    for (const saveFreq of [0, -1, true, false])
      expect(left(decodePolicyOptions({ filepath: 'm.keras', saveFreq })).option).toBe('saveFreq')
  })
})
