/**
 * modelCheckpoint: an unknown option suggests the nearest option and lists every option the callback takes: the
 * policy's, retention's, saveLast's and the Checkpointer's own, less those the adapter sets or refuses itself
 * (serializer, immutableSnapshots, maxShardSize).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { modelCheckpoint, type ModelCheckpointOptions } from '../../src/adapters/tfjs/callback.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { acceptedList, unknownTypoOf } from '../policy/support/typos.js'
import { MODEL_CHECKPOINT_KEYS } from '../support/option-keys.js'

const keys = Object.keys(MODEL_CHECKPOINT_KEYS)

const thrown = (options: Record<string, unknown>): CkptTfjsError => {
  try {
    modelCheckpoint(options as unknown as ModelCheckpointOptions)
  } catch (e) {
    expect(e).toBeInstanceOf(CkptTfjsError)
    return e as CkptTfjsError
  }
  throw new Error('expected a CkptTfjsError, nothing was thrown')
}

describe('modelCheckpoint: an unknown option', () => {
  const storage = memoryStorage()
  it('saveBestOnyl suggests saveBestOnly, and the list names storage, async and log, not the options the adapter sets', () => {
    const e = thrown({ storage, filepath: 'm/model.json', saveBestOnyl: true })
    expect(e.error._tag).toBe('InvalidOptions')
    expect(e.message).toMatch(
      /^ckpt\/tfjs: modelCheckpoint: saveBestOnyl: got true \(unknown option; did you mean saveBestOnly\?\); expected one of the options /,
    )
    const list = acceptedList(e.message)
    for (const k of ['storage', 'async', 'log', 'saveTopK', 'saveLast']) expect(list).toContain(k)
    for (const k of ['serializer', 'immutableSnapshots', 'maxShardSize']) expect(list).not.toContain(k)
  })
  it('any one-edit typo of any option suggests that option, and the list is every key of ModelCheckpointOptions', () => {
    fc.assert(
      fc.property(unknownTypoOf(keys), ({ name, typo }) => {
        const line = thrown({ storage, filepath: 'm/model.json', [typo]: 1 })
          .message.split('\n')
          .find((l) => l.includes(`${typo}: got`))!
        expect(line).toContain(`(unknown option; did you mean ${name}?)`)
        expect(acceptedList(line).sort()).toEqual([...keys].sort())
      }),
    )
  })
})
