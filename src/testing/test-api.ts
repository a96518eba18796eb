/**
 * The slice of a test runner the conformance suite uses, passed in by the caller so that ckpt/testing imports
 * no runner: vitest's and jest's `describe`, `it` and `expect` fit as they are.
 *
 * @example
 * import { describe, expect, it } from 'vitest'
 * conformance({ name: 'map', make: () => mapStorage() }, { describe, it, expect })
 */
export interface TestApi {
  readonly describe: (name: string, body: () => void) => unknown
  readonly it: TestFn & { readonly skip: TestFn }
  readonly expect: Expect
}

export type TestFn = (name: string, body: () => Promise<void>) => unknown

/** The matchers the suite uses, as vitest and jest spell them. */
export interface Matchers {
  toBe(expected: unknown): unknown
  toEqual(expected: unknown): unknown
  toBeNull(): unknown
  toContain(expected: unknown): unknown
  toHaveLength(expected: number): unknown
  toBeGreaterThanOrEqual(expected: number): unknown
  readonly not: Matchers
}

export type Expect = (actual: unknown, message?: string) => Matchers
