/** Test-only globals (see README.md), injected by esbuild into page bundles. */
export { Buffer } from './buffer.js'

const channel = new MessageChannel()
const queue: Array<() => void> = []
// Typed loosely: the Node program's MessagePort is worker_threads', not the DOM's.
;(channel.port1 as unknown as { onmessage: () => void }).onmessage = () => queue.shift()?.()
/** A macrotask, as Node's: yields to timers and I/O (a MessageChannel message is not clamped like setTimeout). */
export const setImmediate = (f: () => void): void => {
  queue.push(f)
  channel.port2.postMessage(null)
}
