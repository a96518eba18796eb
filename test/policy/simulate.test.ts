import { describe, expect, it } from 'vitest'
import { simulate } from '../../src/policy/index.js'
import { left, right } from './helpers.js'

describe('simulate (public contract)', () => {
  it('returns one { save, path, messages } per event; batch present means a batch end', () => {
    const out = right(
      simulate({ filepath: 'm-{epoch}.keras', monitor: 'loss' }, [
        { epoch: 0, batch: 0, logs: { loss: 1 } },
        { epoch: 0, logs: { loss: 1 } },
      ]),
    )
    expect(out).toEqual([
      { save: false, path: null, messages: [] },
      { save: true, path: 'm-1.keras', messages: [] },
    ])
    expect(Object.keys(out[0]!).sort()).toEqual(['messages', 'path', 'save'])
  })
  it('an empty event list gives an empty Right', () => {
    expect(right(simulate({ filepath: 'm.keras' }, []))).toEqual([])
  })
  it('a configuration error is a Left ConfigError', () => {
    const e = left(simulate({ filepath: 'm.keras', saveFreq: 0 }, []))
    expect(e).toMatchObject({
      _tag: 'ConfigError',
      option: 'saveFreq',
      value: 0,
      accepted: "'epoch' or a positive integer number of batches",
    })
  })
  it('a non-array events argument is a Left naming events', () => {
    expect(left(simulate({ filepath: 'm.keras' }, 'x' as never)).option).toBe('events')
  })
  it('each save, assumed to succeed, ends with the finished line at verbose 1', () => {
    const out = right(simulate({ filepath: 'b.keras', saveBestOnly: true, verbose: 1, monitor: 'acc' }, [{ epoch: 0, logs: { acc: 0.5 } }]))
    expect(out[0]!.messages.at(-1)).toBe('Epoch 1: finished saving model to b.keras')
  })
  it('overwrites the same path for a template with no fields, as Keras does', () => {
    const out = right(
      simulate(
        { filepath: 'last.keras', monitor: 'loss' },
        [0, 1, 2].map((epoch) => ({ epoch, logs: { loss: epoch } })),
      ),
    )
    expect(out.map((d) => d.path)).toEqual(['last.keras', 'last.keras', 'last.keras'])
  })
})
