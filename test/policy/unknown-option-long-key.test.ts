/**
 * An unknown option with a very long name (a hostile or corrupt --config file) is refused at once: the nearest-name
 * suggestion skips names too different in length to be a typo, instead of filling a distance table of the key's length
 * times each option's (a 1 MB key took about 50 s and 800 MB).
 */
import { describe, expect, it } from 'vitest'
import { decodePolicyOptions } from '../../src/policy/index.js'
import { nearestName } from '../../src/policy/nearest-name.js'
import { left } from './helpers.js'

describe('an unknown option of a million characters', () => {
  it('is refused within a generous budget, with no suggestion', () => {
    const key = 'x'.repeat(1_000_000)
    const started = performance.now()
    const e = left(decodePolicyOptions({ filepath: 'm.keras', [key]: 1 }))
    // About 50 s before the fix; a few milliseconds after. Generous for a loaded 2-core machine.
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(e.issues[0]?.message).toMatch(/\(unknown option\); expected one of the options filepath, /)
  }, 120_000)

  it('a long name one edit from a long candidate is still suggested', () => {
    const long = 'a'.repeat(300)
    expect(nearestName(`${long}b`, [long, 'loss'])).toBe(long)
  })
})
