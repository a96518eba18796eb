/** Test-only `node:timers/promises` (see README.md): the index store's retry pause. */
export const setTimeout = <T>(ms: number, value?: T): Promise<T | undefined> =>
  new Promise((resolve) => globalThis.setTimeout(() => resolve(value), ms))
