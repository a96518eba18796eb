import { describe, expect, it } from 'vitest'
import { buildH5, decodeInChild, expectInvalidH5, validWeightsH5 } from './h5-support.js'

// Issue 11, item 2: a 2 KB .weights.h5 with a group hard-linked into itself never returned (killed at 400 s).
// ckpt now tracks every object it reaches by its address in the file: a second arrival is refused, in milliseconds.

describe('a .weights.h5 whose links reach an object twice is InvalidH5, quickly', () => {
  it('a group hard-linked into itself (the issue 11 file), a cycle through a Keras layout, a soft-link cycle', async () => {
    const selfLoop = await buildH5((f) => f.create_group('a').create_hard_link('/a', 'self'))
    expect(selfLoop.length).toBeLessThan(4096)
    const kerasLoop = await buildH5((f) => {
      f.create_group('vars')
      f.create_group('layers').create_group('dense').create_group('vars')
      f.create_hard_link('/layers', '/layers/dense/loop')
    })
    const softLoop = await buildH5((f) => f.create_group('a').create_soft_link('/a', 'self'))
    const { outcomes, stderr } = await decodeInChild([
      ['self-loop.weights.h5', selfLoop],
      ['keras-loop.weights.h5', kerasLoop],
      ['soft-loop.weights.h5', softLoop],
    ])
    expectInvalidH5(outcomes[0], '/a/self', /at '\/a\/self': the group is '\/a' again: a link back up the tree makes a cycle/)
    expectInvalidH5(outcomes[1], '/layers/dense/loop', /the group is '\/layers' again: a link back up the tree makes a cycle/)
    expectInvalidH5(outcomes[2], '/a/self', /the group is '\/a' again/)
    expect(stderr).toBe('')
  })

  it('one dataset linked from two vars groups is refused (it would be read, and held in memory, twice)', async () => {
    const twice = await buildH5((f) => {
      const v = f.create_group('vars')
      v.create_dataset({ name: '0', data: new Float32Array(4), shape: [4], dtype: '<f' })
      f.create_group('layers').create_group('dense').create_group('vars')
      f.create_hard_link('/vars/0', '/layers/dense/vars/0')
    })
    const { outcomes } = await decodeInChild([['twice.weights.h5', twice]])
    expectInvalidH5(outcomes[0], '/vars/0', /the dataset is '\/layers\/dense\/vars\/0' again: one object linked twice/)
  })

  it('a file as Keras writes it, each object linked once, still reads', async () => {
    const { outcomes } = await decodeInChild([['keras.weights.h5', await validWeightsH5()]])
    expect(outcomes[0]).toMatchObject({ groups: ['layers/dense', 'optimizer', ''] })
  })
})
