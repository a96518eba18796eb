/** Test-only `node:os` (see README.md): the writer lock's host name. */
export const hostname = (): string => 'browser'
