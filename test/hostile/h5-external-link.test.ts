import { describe, expect, it } from 'vitest'
import { buildH5, decodeInChild, expectInvalidH5 } from './h5-support.js'

// HDF5 may open no file but the one ckpt reads: a link into another file is refused by name, not followed
// (in h5wasm's file system, another file could be a scratch copy of a file read before, or a device).

describe('a .weights.h5 with an external link is InvalidH5, naming the link and the file', () => {
  it('a link to a group in another file', async () => {
    const bytes = await buildH5((f) => {
      f.create_group('vars')
      f.create_group('layers').create_external_link('other.weights.h5', '/layers/dense', 'dense')
    })
    const { outcomes, stderr } = await decodeInChild([['external-link.weights.h5', bytes]])
    expectInvalidH5(
      outcomes[0],
      '/layers/dense',
      /at '\/layers\/dense': the link points into another file \('\/other\.weights\.h5'\): an external link; ckpt reads only objects inside the file/,
    )
    expect(stderr).toBe('')
  })
})
