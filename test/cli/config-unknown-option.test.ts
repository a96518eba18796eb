/** `ckpt simulate --config POLICY.json`: an unknown key gets the message createCheckpointer's policy options give. */
import { afterAll, describe, expect, it } from 'vitest'
import { decodePolicyOptions } from '../../src/policy/index.js'
import { ckpt, scratch } from './support.js'

const tmp = scratch()
afterAll(tmp.cleanup)

describe('ckpt simulate --config: an unknown option', () => {
  it('suggests the nearest option and lists every option, as decodePolicyOptions does', async () => {
    const options = { filepath: 'm-{epoch}.keras', monitor: 'loss', saveBestOnyl: true }
    const config = tmp.write('typo.json', JSON.stringify(options))
    const r = await ckpt(['simulate', '--config', config, '--csv', tmp.write('t.log', 'epoch,loss\n0,1.0\n')])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    const expected = decodePolicyOptions(options)
    if (expected._tag === 'Right') throw new Error('expected the options to be refused')
    expect(expected.left.message).toMatch(
      /^saveBestOnyl: got true \(unknown option; did you mean saveBestOnly\?\); expected one of the options /,
    )
    expect(r.stderr).toContain(`typo.json: invalid policy configuration:\n  ${expected.left.message}`)
  })
})
