/**
 * createCheckpointer: an unknown option suggests the nearest option and lists every option createCheckpointer takes,
 * its own (`storage`, `async`, `log`…) beside the policy's, retention's and saveLast's.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CheckpointFailure, createCheckpointer, type CheckpointerOptions } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { acceptedList, unknownTypoOf } from '../policy/support/typos.js'
import { CHECKPOINTER_KEYS } from '../support/option-keys.js'

const keys = Object.keys(CHECKPOINTER_KEYS)

const rejection = async (options: Record<string, unknown>): Promise<CheckpointFailure> => {
  const e: unknown = await createCheckpointer(options as unknown as CheckpointerOptions<unknown, unknown>).then(
    () => new Error('expected a rejection'),
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(CheckpointFailure)
  return e as CheckpointFailure
}

describe('createCheckpointer: an unknown option', () => {
  it('saveBestOnyl suggests saveBestOnly, and the list names storage, async and log too', async () => {
    const storage = memoryStorage()
    const e = await rejection({ storage, filepath: 'm.safetensors', saveBestOnyl: true })
    expect(e.message).toMatch(/^saveBestOnyl: got true \(unknown option; did you mean saveBestOnly\?\); expected one of the options /)
    expect(acceptedList(e.message)).toEqual([
      ...['filepath', 'monitor', 'mode', 'saveBestOnly', 'saveWeightsOnly', 'saveFreq', 'initialValueThreshold', 'verbose', 'minDelta'],
      ...['saveTopK', 'maxToKeep', 'keepPeriod', 'keepTimeInterval', 'keepLatest', 'keepBest', 'saveLast', 'lastFilepath'],
      ...['storage', 'serializer', 'maxShardSize', 'async', 'immutableSnapshots', 'rank', 'isChief', 'enableVersionCounter'],
      ...['trigger', 'log', 'writerLock', 'lockStaleAfter'],
    ])
    expect(await storage.list()).toEqual([])
  })
  it('a typo of one of its own options suggests it (asyn → async)', async () => {
    const e = await rejection({ storage: memoryStorage(), filepath: 'm.safetensors', asyn: true })
    expect(e.message).toContain('asyn: got true (unknown option; did you mean async?)')
  })
  it('any one-edit typo of any option suggests that option, and the list is every key of CheckpointerOptions', async () => {
    await fc.assert(
      fc.asyncProperty(unknownTypoOf(keys), async ({ name, typo }) => {
        const e = await rejection({ storage: memoryStorage(), filepath: 'm.safetensors', [typo]: 1 })
        const line = e.message.split('\n').find((l) => l.startsWith(`${typo}: `))!
        expect(line).toContain(`(unknown option; did you mean ${name}?)`)
        expect(acceptedList(line).sort()).toEqual([...keys].sort())
      }),
      { numRuns: 60 },
    )
  })
})
