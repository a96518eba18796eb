import { describe, expect, it } from 'vitest'
import { importCheckpoints } from '../../src/checkpointer/export/index.js'
import { memoryStorage } from '../../src/storage/memory.js'

describe('importCheckpoints options', () => {
  it.each([
    [{ lockStaleAfter: -1 }, 'lockStaleAfter'],
    [{ lockStaleAfter: Number.NaN }, 'lockStaleAfter'],
    [{ writerLock: 'no' }, 'writerLock'],
    [{ log: 'console' }, 'log'],
    [null, 'import options'],
  ])('%j is a ConfigError naming the option, before the source is read', async (options, option) => {
    let read = false
    const source = (async function* () {
      read = true
      yield new Uint8Array(512)
    })()
    const target = memoryStorage()
    await expect(importCheckpoints(target, source, options as never)).rejects.toMatchObject({
      _tag: 'ConfigError',
      option,
      accepted: expect.any(String),
    })
    expect(read).toBe(false)
    expect(await target.list()).toEqual([])
  })
})
