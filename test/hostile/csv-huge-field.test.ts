import * as E from 'fp-ts/lib/Either.js'
import { afterAll, expect, it } from 'vitest'
import { MAX_CSV_FIELD_CHARS, parseCsvLog } from '../../src/cli/csv-log.js'
import { parsePythonFloat } from '../../src/cli/literals.js'
import { ckpt, scratch, STACK_LINE } from '../cli/support.js'

const tmp = scratch()
afterAll(tmp.cleanup)

it('ckpt simulate refuses a CSV value of 10M digits as an input error, quickly (Python csv.field_size_limit)', async () => {
  const config = tmp.write('c.json', JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'loss' }))
  const csv = tmp.write('huge.log', `epoch,loss\n0,${'1'.repeat(10_000_000)}\n`)
  const started = Date.now()
  const r = await ckpt(['simulate', '--config', config, '--csv', csv])
  expect(r.code).toBe(2)
  expect(r.stderr).toContain('line 2: a field is longer than 131072 characters')
  expect(r.stderr).not.toMatch(STACK_LINE)
  expect(r.stderr.length).toBeLessThan(1_000)
  expect(Date.now() - started).toBeLessThan(5_000)
})

it('a field of exactly the limit is read (and a number that long is inf, as Python float() says)', () => {
  const r = parseCsvLog(`epoch,loss\n0,${'1'.repeat(MAX_CSV_FIELD_CHARS)}\n`, 'log.csv')
  expect(E.isRight(r) && r.right.events[0]?.event.logs['loss']).toBe(Infinity)
})

it('parsing Python float syntax is linear: 10M digits, with or without underscores, do not overflow the stack', () => {
  const started = Date.now()
  expect(parsePythonFloat('1'.repeat(10_000_000))).toBe(Infinity)
  expect(parsePythonFloat(`${'1_'.repeat(1_000_000)}1`)).toBe(Infinity)
  expect(parsePythonFloat(`${'1'.repeat(1_000_000)}x`)).toBeNull()
  expect(Date.now() - started).toBeLessThan(5_000)
})

it('a long non-number value is shown cut, with its length', () => {
  const r = parseCsvLog(`epoch,loss\n0,${'x'.repeat(100_000)}\n`, 'log.csv')
  const message = E.isLeft(r) ? r.left.message : ''
  expect(message).toContain('(100000 characters)')
  expect(message.length).toBeLessThan(500)
})
