import { describe, expect, it } from 'vitest'
import { memoryStorage } from '../../src/storage/memory-browser.js'
import { conformance } from '../../src/testing/index.js'

// The memory storage a browser build gets (the `browser` condition of ckpt/storage/memory): a Map, no memfs.
conformance({ name: 'memory (browser build: a Map)', make: () => memoryStorage() }, { describe, it, expect })

describe('memoryStorage in a browser build', () => {
  it('keeps each storage its own objects, named memory', async () => {
    const a = memoryStorage()
    const b = memoryStorage()
    expect(a.name).toBe('memory')
    await a.write('k', new Uint8Array([1]))
    expect(await b.list()).toEqual([])
    expect(await a.list()).toEqual(['k'])
  })
})
