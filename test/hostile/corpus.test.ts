/**
 * Every reader and every CLI command over the hostile corpus (corpus/cases.ts), in readers' processes apart from
 * the test's (replaced when they keep memory), each run measured alone against a time and a memory budget: the answer is a
 * typed error (a `_tag`; for the CLI an exit code 1 or 2 with a message) or the correct result, never a hang, an
 * abort, a raw error or a crash report.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleForChild } from '../support/bundle.js'
import { readersOf, type Expected, type Outcome } from './corpus/case.js'
import { CORPUS } from './corpus/cases.js'

/** Per case and reader. Measured worst cases are far below (see docs/format.md, "Limits on input"); these allow a loaded CI machine. */
const TIME_BUDGET_MS = 5_000
const MEMORY_BUDGET_BYTES = 128 * 1024 * 1024
/** A child still running after this is hung: it is killed and the case fails. */
const KILL_AFTER_MS = 60_000

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m
const MAX_MESSAGE_CHARS = 10_000

const root = mkdtempSync(join(tmpdir(), 'ckpt-corpus-'))
const children: { core?: string; tfjs?: string } = {}
const measured: Array<{ name: string; ms: number; growth: number }> = []

beforeAll(async () => {
  children.core = await bundleForChild(new URL('./corpus/child-core.ts', import.meta.url).pathname)
  children.tfjs = await bundleForChild(new URL('./corpus/child-tfjs.ts', import.meta.url).pathname)
}, 120_000)

afterAll(() => {
  core.stop()
  tfjs.stop()
  rmSync(root, { recursive: true, force: true })
  const worst = (by: 'ms' | 'growth') => measured.reduce((a, b) => (b[by] > a[by] ? b : a), { name: '(none)', ms: 0, growth: 0 })
  const t = worst('ms')
  const m = worst('growth')
  console.log(
    `hostile corpus: ${measured.length} runs; slowest ${t.ms.toFixed(0)} ms (${t.name}); most memory +${(m.growth / 2 ** 20).toFixed(1)} MB (${m.name})`,
  )
})

type Answer = Outcome & { messageLength: number; retained: number }

/**
 * Memory a process may keep from earlier requests (a grown wasm heap, caches) before it is replaced: above it, a
 * later request's growth could hide in memory already held.
 */
const MAX_RETAINED_BYTES = 32 * 1024 * 1024

/**
 * A long-lived readers' process (see corpus/child.ts), one request at a time. A request not answered within
 * KILL_AFTER_MS is a hang: the process is killed, the request fails, and the next request starts a new one.
 */
const readersProcess = (bundle: () => string) => {
  let child: ChildProcessWithoutNullStreams | null = null
  let pending: { resolve: (a: Answer) => void; reject: (e: Error) => void } | null = null
  let stdout = ''
  let stderr = ''
  const start = (): ChildProcessWithoutNullStreams => {
    const c = spawn(process.execPath, ['--expose-gc', bundle()], { stdio: ['pipe', 'pipe', 'pipe'] })
    c.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      const nl = stdout.indexOf('\n')
      if (nl < 0 || pending === null) return
      const line = stdout.slice(0, nl)
      stdout = stdout.slice(nl + 1)
      const p = pending
      pending = null
      const answer = JSON.parse(line) as Answer
      if (answer.retained > MAX_RETAINED_BYTES) stop()
      p.resolve(answer)
    })
    c.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
    c.on('close', (code, signal) => {
      if (child !== c) return // a process stopped between cases: the pending request, if any, is its successor's
      child = null
      pending?.reject(new Error(`the readers' process ended (code ${code}, ${signal ?? 'no signal'}):\n${stderr}`))
      pending = null
    })
    return c
  }
  const ask = (reader: string, input: string): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      const c = (child ??= start())
      stdout = ''
      stderr = ''
      const timer = setTimeout(() => c.kill('SIGKILL'), KILL_AFTER_MS)
      pending = {
        resolve: (a) => (clearTimeout(timer), resolve(a)),
        reject: (e) => (clearTimeout(timer), reject(new Error(`${reader} hung or crashed: ${e.message}`))),
      }
      c.stdin.write(`${JSON.stringify({ reader, input })}\n`)
    })
  const stop = (): void => {
    child?.kill()
    child = null
  }
  return { ask, stop }
}

const core = readersProcess(() => children.core as string)
const tfjs = readersProcess(() => children.tfjs as string)
const runChild = (reader: string, input: string): Promise<Answer> => (reader.startsWith('tfjs ') ? tfjs : core).ask(reader, input)

const describeOutcome = (o: Outcome): string =>
  o.result === 'ok' ? `ok: ${o.summary}` : o.result === 'cli' ? `exit ${o.code}: ${o.message}` : `${o.result} ${o.tag ?? ''}: ${o.message}`

/** Whether `o` is what `expected` asks for. */
const meets = (o: Outcome, expected: Expected): boolean => {
  if (expected === 'error') return o.result === 'typed' || (o.result === 'cli' && (o.code === 1 || o.code === 2) && o.message.trim() !== '')
  return (o.result === 'ok' || (o.result === 'cli' && o.code === 0)) && expected.test(o.summary)
}

for (const c of CORPUS) {
  describe(`${c.kind}: ${c.name}`, () => {
    const why = c.skip?.() ?? null
    let input = ''
    beforeAll(async () => {
      if (why === null) input = await c.make(mkdtempSync(join(root, 'case-')))
    }, 120_000)
    for (const reader of readersOf[c.kind]) {
      const expected = c.readers?.[reader] ?? c.expect
      it(`${reader} → ${expected === 'error' ? 'a typed error' : `a result matching ${String(expected)}`}, in budget`, async (t) => {
        if (why !== null) {
          console.log(`skipped ${c.name} / ${reader}: ${why}`)
          t.skip()
        }
        const o = await runChild(reader, input)
        measured.push({ name: `${c.kind}: ${c.name} / ${reader}`, ms: o.ms, growth: o.growth })
        expect(o.result, describeOutcome(o)).not.toBe('untyped')
        expect(o.result === 'cli' && o.code === 3, describeOutcome(o)).toBe(false)
        expect(meets(o, expected), describeOutcome(o)).toBe(true)
        if (expected === 'error') {
          expect(o.message, 'no stack trace in a message').not.toMatch(STACK_LINE)
          expect(o.messageLength, 'a bounded message').toBeLessThan(MAX_MESSAGE_CHARS)
        }
        expect(o.ms, `time: ${describeOutcome(o)}`).toBeLessThan(c.budget?.ms ?? TIME_BUDGET_MS)
        expect(o.growth, `memory: ${describeOutcome(o)}`).toBeLessThan(c.budget?.bytes ?? MEMORY_BUDGET_BYTES)
      }, 120_000)
    }
  })
}
