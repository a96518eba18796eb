import { afterEach, describe, expect, it, vi } from 'vitest'

// Browsers have no setImmediate: the callback's yield between batches posts a message to itself (no 4 ms clamp, as
// nested setTimeout(0)s get), and falls back to a timer where there is no MessageChannel.
describe('the web side of #platform/next-turn', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('resolves through a MessageChannel message where there is one', async () => {
    const posted: unknown[] = []
    class FakeChannel {
      readonly port1: { onmessage: (() => void) | null } = { onmessage: null }
      readonly port2 = { postMessage: (m: unknown) => (posted.push(m), setTimeout(() => this.port1.onmessage?.(), 0)) }
    }
    vi.stubGlobal('MessageChannel', FakeChannel)
    const { nextTurn } = await import('../../src/platform/web/next-turn.js')
    await nextTurn()
    await Promise.all([nextTurn(), nextTurn()])
    expect(posted).toHaveLength(3)
  })

  it('resolves through a timer without one', async () => {
    vi.stubGlobal('MessageChannel', undefined)
    const { nextTurn } = await import('../../src/platform/web/next-turn.js')
    const timer = vi.spyOn(globalThis, 'setTimeout')
    await nextTurn()
    expect(timer).toHaveBeenCalledTimes(1)
  })
})
