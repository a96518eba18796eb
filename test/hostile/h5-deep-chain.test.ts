import { describe, expect, it } from 'vitest'
import { MAX_H5_DEPTH } from '../../src/keras/h5-walk.js'
import { buildH5, decodeInChild, expectInvalidH5 } from './h5-support.js'

// Issue 11, item 2: a 3,000-deep chain of groups never returned (h5wasm looks up each group by its whole path,
// so the cost grows with the cube of the depth: 400 deep took 33 s). Groups may nest MAX_H5_DEPTH (64) deep.

/**
 * A chain `/chain/next/next/…` of `depth` groups. Built from hard links between groups kept flat under `/pool`
 * (h5wasm creates a group through its whole path, so a 3,000-deep `create_group` chain takes 10 s to build);
 * the walk goes down the chain first, so the depth limit is what it meets.
 */
const chain = (depth: number): Promise<Uint8Array> =>
  buildH5((f) => {
    const pool = f.create_group('pool')
    for (let i = 0; i < depth; i++) pool.create_group(`g${i}`)
    for (let i = 0; i + 1 < depth; i++) f.create_hard_link(`/pool/g${i + 1}`, `/pool/g${i}/next`)
    f.create_hard_link('/pool/g0', '/chain')
  })

describe(`groups nested more than ${MAX_H5_DEPTH} deep are InvalidH5, quickly`, () => {
  it('a 3,000-deep chain of groups (the issue 11 file)', async () => {
    const { outcomes, stderr } = await decodeInChild([['deep.weights.h5', await chain(3_000)]])
    const object = `/chain${'/next'.repeat(MAX_H5_DEPTH)}`
    expectInvalidH5(outcomes[0], `${object.slice(0, 100)}…${object.slice(-100)}`, /groups nest more than 64 deep \(the limit\)/)
    expect(stderr).toBe('')
  })

  it(`a vars group ${MAX_H5_DEPTH} deep (the limit) still reads`, async () => {
    const path = Array.from({ length: MAX_H5_DEPTH - 1 }, (_, i) => `m${i}`).join('/')
    const bytes = await buildH5((f) => {
      let g = f.create_group('m0')
      for (let i = 1; i < MAX_H5_DEPTH - 1; i++) g = g.create_group(`m${i}`)
      g.create_group('vars').create_dataset({ name: '0', data: Float32Array.of(1, 2), shape: [2], dtype: '<f' })
    })
    const { outcomes } = await decodeInChild([['at-limit.weights.h5', bytes]])
    expect(outcomes[0]).toMatchObject({ groups: [path] })
  })
})
