/**
 * A check with a name, the name being what error messages list as accepted: the `is` of an io-ts codec, without
 * io-ts at run time. io-ts's classic module cannot be tree-shaken (about 15 KB of a browser bundle), and these
 * decoders are sync and run on every open, so the policy checks its options and state with these instead.
 */
export interface Named<A> {
  readonly name: string
  readonly is: (u: unknown) => u is A
}

/** A named check from a predicate. */
export const refined = <A>(name: string, is: (u: unknown) => u is A): Named<A> => ({ name, is })

/** `a` or null; named as `name`. */
export const orNull = <A>(name: string, a: Named<A>): Named<A | null> => refined(name, (u): u is A | null => u === null || a.is(u))

export const NonEmptyString = refined('a non-empty string', (u): u is string => typeof u === 'string' && u.length > 0)
export const Bool = refined('true or false', (u): u is boolean => typeof u === 'boolean')
export const PositiveInt = refined('a positive integer', (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 1)
export const NonNegativeInt = refined('an integer >= 0', (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0)
export const NonNegativeFinite = refined('a finite number >= 0', (u): u is number => typeof u === 'number' && Number.isFinite(u) && u >= 0)
export const PositiveFinite = refined('a finite number > 0', (u): u is number => typeof u === 'number' && Number.isFinite(u) && u > 0)
export const NotNaN = refined('a number (not NaN) or null', (u): u is number => typeof u === 'number' && !Number.isNaN(u))

/**
 * A float that survives JSON: finite numbers as themselves, infinities as the strings
 * `'Infinity'` / `'-Infinity'` (JSON.stringify would turn them into null).
 */
export type JsonFloat = number | 'Infinity' | '-Infinity'

export const JsonFloat = refined<JsonFloat>(
  "a finite number, 'Infinity' or '-Infinity'",
  (u): u is JsonFloat => (typeof u === 'number' && Number.isFinite(u)) || u === 'Infinity' || u === '-Infinity',
)

/** Infinities become strings; -0 becomes 0 (JSON cannot tell them apart). NaN is the caller's to exclude. */
export const toJsonFloat = (x: number): JsonFloat => (x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x === 0 ? 0 : x)
export const fromJsonFloat = (x: JsonFloat): number => (x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x)

/** True when `u` is plain JSON data (what JSON.stringify/parse round-trips unchanged). */
export const isJson = (u: unknown): boolean => {
  if (u === null || typeof u === 'string' || typeof u === 'boolean') return true
  if (typeof u === 'number') return Number.isFinite(u) && !Object.is(u, -0)
  if (Array.isArray(u)) return u.every(isJson)
  if (typeof u === 'object') {
    const proto: unknown = Object.getPrototypeOf(u)
    return (proto === Object.prototype || proto === null) && Object.values(u).every((v) => v !== undefined && isJson(v))
  }
  return false
}

export const isPlainObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)
