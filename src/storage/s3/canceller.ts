import { setMaxListeners } from 'node:events'

/**
 * The abort signal of one transfer's requests (a multipart upload's parts, a read's ranged parts): the first failure
 * cancels the others. Its listeners are bounded by the requests in flight, but the SDK adds several per request and
 * drops them late, so any fixed limit prints a false leak warning: no limit.
 */
export const canceller = (): AbortController => {
  const cancel = new AbortController()
  setMaxListeners(0, cancel.signal)
  return cancel
}
