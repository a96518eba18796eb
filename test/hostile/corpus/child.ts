/**
 * One reader over one hostile input, in a process of its own so its time and peak memory are its own:
 * `node child.mjs READER INPUT` prints one JSON `Outcome` line on stdout. Two entries (`child-core.ts`,
 * `child-tfjs.ts`) so that only the tfjs readers pay for loading TensorFlow.js.
 */
import { CliExit, isTyped, type Read } from './readers.js'
import type { Outcome } from './case.js'
import { measure, peakMeasurable } from '../support/peak.js'

const MESSAGE_SHOWN = 300

export const run = async (readers: Readonly<Record<string, Read>>, warm: (reader: string) => Promise<void>): Promise<void> => {
  const [reader = '', input = ''] = process.argv.slice(2)
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
  process.stdout.write(`${JSON.stringify({ ...outcome, message: shown, messageLength: outcome.message.length, ms, growth })}\n`)
}
