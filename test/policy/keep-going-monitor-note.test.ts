/**
 * With keepGoing, a save opportunity whose filename cannot be rendered is replayed as a failed skip: nothing was
 * decided there, so the monitor's name was not checked either. The one-time line listing what the logs hold comes at
 * the first opportunity that does check it (it was lost: the failed one marked the state as checked).
 */
import { describe, expect, it } from 'vitest'
import { simulate } from '../../src/policy/index.js'
import { right } from './helpers.js'

const NOTE = 'ckpt: the logs hold loss, val_loss; none is named vall_loss; did you mean val_loss?'

describe('simulate with keepGoing: the missing-monitor line after a filename that cannot be rendered', () => {
  it('comes at the first opportunity whose filename renders, once', () => {
    const out = right(
      simulate(
        { filepath: 'm-{val_loss:.2f}.keras', monitor: 'vall_loss', mode: 'min', saveBestOnly: true },
        [
          { epoch: 0, logs: { loss: 1 } },
          { epoch: 1, logs: { loss: 0.9, val_loss: 0.8 } },
          { epoch: 2, logs: { loss: 0.8, val_loss: 0.7 } },
        ],
        { keepGoing: true },
      ),
    )
    expect(out[0]?.failed?._tag).toBe('TemplateRenderError')
    expect(out[0]?.messages).toEqual([])
    expect(out[1]?.messages).toEqual(['Can save best model only with vall_loss available, skipping.', NOTE])
    expect(out[2]?.messages).toEqual(['Can save best model only with vall_loss available, skipping.'])
  })
})
