import { Volume } from 'memfs'
import { describe, expect, it } from 'vitest'
import { memoryStorage } from '../../src/storage/memory.js'
import { conformance } from '../../src/testing/index.js'

conformance({ name: 'memory (fs implementation over memfs)', make: () => memoryStorage() }, { describe, it, expect })

describe('memoryStorage', () => {
  it('returns the storage synchronously and keeps objects in the given memfs volume', async () => {
    const volume = new Volume()
    const storage = memoryStorage({ volume })
    expect(storage).not.toBeInstanceOf(Promise)
    expect(storage.name).toBe('memory')
    await storage.write('a/b', new Uint8Array([1, 2]))
    expect(Array.from(volume.readFileSync('/a/b') as Buffer)).toEqual([1, 2])
    expect(await memoryStorage({ volume }).list()).toEqual(['a/b'])
  })
})
