/** Thrown into a producer whose consumer stopped early, so that it unwinds (and closes what it opened). */
class Stopped extends Error {}

type Step =
  | { readonly kind: 'chunk'; readonly chunk: Uint8Array; readonly ack: () => void; readonly nack: (e: Error) => void }
  | { readonly kind: 'end' }
  | { readonly kind: 'error'; readonly error: unknown }

/**
 * The chunks a push-style producer hands to `emit`, as a pull-style stream with one chunk in flight: `emit` resolves
 * once the consumer asks for the next chunk, so the producer never runs ahead. A consumer that stops early makes the
 * pending `emit` reject, and waits for the producer to unwind. The producer's failure is the stream's.
 */
export async function* pumped(
  run: (emit: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const steps: Step[] = []
  let wake: (() => void) | null = null
  let stopped = false
  const push = (s: Step) => {
    steps.push(s)
    const w = wake
    wake = null
    w?.()
  }
  const emit = (chunk: Uint8Array) =>
    new Promise<void>((ack, nack) => (stopped ? nack(new Stopped('the consumer stopped')) : push({ kind: 'chunk', chunk, ack, nack })))
  const running = run(emit).then(
    () => push({ kind: 'end' }),
    (error: unknown) => push({ kind: 'error', error }),
  )
  let current: Step | null = null
  try {
    for (;;) {
      while (steps.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      const s = steps.shift()!
      if (s.kind === 'end') return
      if (s.kind === 'error') throw s.error
      current = s
      yield s.chunk
      current = null
      s.ack()
    }
  } finally {
    stopped = true
    for (const s of current === null ? steps : [current, ...steps]) if (s.kind === 'chunk') s.nack(new Stopped('the consumer stopped'))
    await running
  }
}
