/*
 * A yield to the event loop without `setImmediate`: a message to ourselves, which browsers deliver in a task of
 * its own without the 4 ms clamp that nested `setTimeout(0)`s get; a timer where there is no MessageChannel.
 */

/** The slice of a MessageChannel used here (the DOM's, which Node's types do not describe). */
interface Channel {
  readonly port1: { onmessage: (() => void) | null }
  readonly port2: { postMessage(message: null): void }
}

let channel: Channel | null = null
const waiting: Array<() => void> = []

/** Resolves in a later task, after the events already due. */
export const nextTurn = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof MessageChannel !== 'function') {
      setTimeout(resolve, 0)
      return
    }
    if (channel === null) {
      channel = new MessageChannel() as unknown as Channel
      channel.port1.onmessage = () => waiting.shift()?.()
    }
    waiting.push(resolve)
    channel.port2.postMessage(null)
  })
