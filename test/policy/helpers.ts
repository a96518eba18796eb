import * as E from 'fp-ts/lib/Either.js'
import { decodePolicyOptions, type PolicyConfig } from '../../src/policy/index.js'

/** Unwraps a Right, failing the test with the Left's message otherwise. */
export const right = <L, R>(e: E.Either<L, R>): R => {
  if (E.isLeft(e))
    throw new Error(`expected Right, got Left: ${JSON.stringify(e.left, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`)
  return e.right
}

export const left = <L, R>(e: E.Either<L, R>): L => {
  if (E.isRight(e))
    throw new Error(`expected Left, got Right: ${JSON.stringify(e.right, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`)
  return e.left
}

export const config = (options: Record<string, unknown>): PolicyConfig => right(decodePolicyOptions(options))
