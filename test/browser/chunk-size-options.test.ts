import { expect, it } from 'vitest'
import { isStorageFailure } from '../../src/storage/errors.js'
import { indexedDbStorage } from '../../src/storage/indexeddb.js'
import { opfsStorage } from '../../src/storage/opfs.js'

// A chunk size of 0 or less made OPFS's `readStream` yield empty chunks for ever, and NaN one empty chunk for a
// whole file. The factories refuse them before anything is opened (here in Node: no browser API is touched).
const refusal = (make: () => unknown): string => {
  try {
    make()
    return 'accepted'
  } catch (e) {
    return isStorageFailure(e) ? `${e._tag}: ${e.message}` : String(e)
  }
}

for (const bad of [0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
  it(`opfsStorage refuses streamChunkBytes ${bad}, and indexedDbStorage chunkBytes ${bad}, as Unsupported naming the value`, () => {
    expect(refusal(() => opfsStorage('x', { streamChunkBytes: bad }))).toBe(
      `Unsupported: opfsStorage: streamChunkBytes is ${bad}; expected a positive integer (default 1048576)`,
    )
    expect(refusal(() => indexedDbStorage('x', { chunkBytes: bad }))).toBe(
      `Unsupported: indexedDbStorage: chunkBytes is ${bad}; expected a positive integer (default 1048576)`,
    )
  })
}
