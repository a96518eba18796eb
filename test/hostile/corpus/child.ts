/**
 * The readers' process: each line on stdin is a request `{"reader", "input"}`, answered by one JSON `Outcome`
 * line on stdout. Requests run one at a time; each is measured alone (its time, and its peak RSS above the RSS
 * just before it, from the kernel's high-water mark reset for it). The parent kills a child that does not answer
 * in time (a hang) and starts a new one. Two entries (`child-core.ts`, `child-tfjs.ts`) so that only the tfjs
 * readers pay for loading TensorFlow.js.
 */
import { createInterface } from 'node:readline'
import { CliExit, isTyped, type Read } from './readers.js'
import type { Outcome } from './case.js'
import { measure, peakMeasurable } from '../support/peak.js'

const MESSAGE_SHOWN = 300
/** RSS once loaded: what a request leaves behind above it is reported, so the parent can start afresh. */
const startRss = process.memoryUsage().rss

const answer = async (
  readers: Readonly<Record<string, Read>>,
  warm: (reader: string) => Promise<void>,
  reader: string,
  input: string,
): Promise<void> => {
  const read = readers[reader]
  if (read === undefined) throw new Error(`no reader named ${reader}`)
  await warm(reader)
  const classify = async (): Promise<Omit<Outcome, 'ms' | 'growth'>> => {
    try {
      return { result: 'ok', summary: await read(input), message: '' }
    } catch (e) {
      if (e instanceof CliExit) {
        const text = e.code === 0 ? e.stdout : `${e.stderr}${e.stdout}`
        return { result: 'cli', code: e.code, summary: `exit ${e.code}: ${e.stdout.split('\n')[0] ?? ''}`, message: text }
      }
      const tag = isTyped(e)
      const value = (e as { value?: unknown }).value ?? e
      const message = String((value as { message?: unknown }).message ?? value)
      return tag === null
        ? { result: 'untyped', summary: '', message: `${String(e)}\n${(e as Error).stack ?? ''}` }
        : { result: 'typed', tag, summary: '', message }
    }
  }
  // The kernel's high-water mark reset just before the read (Linux); elsewhere the process's peak, which overstates.
  const {
    value: outcome,
    elapsedMs: ms,
    growthBytes: growth,
  } = peakMeasurable()
    ? await measure(classify)
    : await (async () => {
        const before = process.memoryUsage().rss
        const started = performance.now()
        const value = await classify()
        return { value, elapsedMs: performance.now() - started, growthBytes: Math.max(0, process.resourceUsage().maxRSS * 1024 - before) }
      })()
  const shown =
    outcome.message.length > MESSAGE_SHOWN
      ? `${outcome.message.slice(0, MESSAGE_SHOWN)}… (${outcome.message.length} characters)`
      : outcome.message
  globalThis.gc?.()
  const retained = process.memoryUsage().rss - startRss
  process.stdout.write(`${JSON.stringify({ ...outcome, message: shown, messageLength: outcome.message.length, ms, growth, retained })}\n`)
}

export const serve = async (readers: Readonly<Record<string, Read>>, warm: (reader: string) => Promise<void>): Promise<void> => {
  for await (const line of createInterface({ input: process.stdin })) {
    const { reader, input } = JSON.parse(line) as { reader: string; input: string }
    await answer(readers, warm, reader, input)
  }
}
