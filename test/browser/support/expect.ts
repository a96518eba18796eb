import type { Expect, Matchers } from '../../../src/testing/test-api.js'

/** For messages: values as JSON where they can be, byte arrays by length. */
const shown = (u: unknown): string => {
  if (u instanceof Uint8Array) return `Uint8Array(${u.byteLength})`
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}

/** Deep equality as `toEqual` means it: same own enumerable fields (undefined ones ignored), element by element. */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b) || ArrayBuffer.isView(a) !== ArrayBuffer.isView(b)) return false
  if (ArrayBuffer.isView(a)) return deepEqual(Array.from(a as Uint8Array), Array.from(b as Uint8Array))
  const fields = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined)
  const [ka, kb] = [fields(a), fields(b)]
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

/** The matchers the conformance suite uses (`src/testing/test-api.ts`), for code that runs in a page without a test runner. */
export const expect: Expect = (actual: unknown, message?: string): Matchers => {
  const matchers = (negated: boolean): Matchers => {
    const check = (pass: boolean, what: string): void => {
      if (pass === negated)
        throw new Error(`${message === undefined ? '' : `${message}: `}expected ${shown(actual)} ${negated ? 'not ' : ''}${what}`)
    }
    return {
      toBe: (expected) => check(Object.is(actual, expected), `to be ${shown(expected)}`),
      toEqual: (expected) => check(deepEqual(actual, expected), `to equal ${shown(expected)}`),
      toBeNull: () => check(actual === null, 'to be null'),
      toContain: (expected) =>
        check(
          (typeof actual === 'string' || Array.isArray(actual)) && (actual as string | unknown[]).includes(expected as string),
          `to contain ${shown(expected)}`,
        ),
      toHaveLength: (expected) => check((actual as { length?: unknown } | null)?.length === expected, `to have length ${expected}`),
      toBeGreaterThanOrEqual: (expected) => check(typeof actual === 'number' && actual >= expected, `to be >= ${expected}`),
      get not() {
        return matchers(!negated)
      },
    }
  }
  return matchers(false)
}
