import { spawnSync } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseAssignment } from '../../src/cli/format-command.js'
import { ckpt, pythonMissing, STACK_LINE } from './support.js'

const value = (arg: string) => {
  const r = parseAssignment(arg)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right[1]
}

describe('ckpt format: how a VALUE is typed', () => {
  it('integer literals are Python ints (bigint, any size)', () => {
    expect(value('n=3')).toBe(3n)
    expect(value('n=-2')).toBe(-2n)
    expect(value('n=1_000')).toBe(1000n)
    expect(value('n=123456789012345678901234567890')).toBe(123456789012345678901234567890n)
  })
  it('float literals are Python floats', () => {
    expect(value('x=0.5')).toBe(0.5)
    expect(value('x=1e-3')).toBe(0.001)
    expect(value('x=2.')).toBe(2)
    expect(value('x=.5')).toBe(0.5)
    expect(value('x=-inf')).toBe(-Infinity)
    expect(Number.isNaN(value('x=NaN'))).toBe(true)
  })
  it('True/False (and true/false) are bools; anything else is a str', () => {
    expect(value('b=True')).toBe(true)
    expect(value('b=false')).toBe(false)
    expect(value('s=adam')).toBe('adam')
    expect(value('s=0x10')).toBe('0x10')
    expect(value('s=')).toBe('')
    expect(value('s=a=b')).toBe('a=b')
  })
  it('NAME:TYPE=VALUE forces the type', () => {
    expect(value('s:str=3')).toBe('3')
    expect(value('f:float=3')).toBe(3)
    expect(value('i:int=7')).toBe(7n)
    expect(value('b:bool=True')).toBe(true)
    expect(E.isLeft(parseAssignment('i:int=0.5'))).toBe(true)
    expect(E.isLeft(parseAssignment('x:list=1'))).toBe(true)
  })
})

describe('ckpt format: output and exit codes', () => {
  it('prints the rendered filename and exits 0', async () => {
    expect(await ckpt(['format', 'ckpt-{epoch:02d}-{val_loss:.4f}.keras', 'epoch=3', 'val_loss=0.25'])).toEqual({
      code: 0,
      stdout: 'ckpt-03-0.2500.keras\n',
      stderr: '',
    })
    expect((await ckpt(['format', '{lr}', 'lr=1e-5'])).stdout).toBe('1e-05\n')
    expect((await ckpt(['format', '{x}', 'x=5'])).stdout).toBe('5\n')
    expect((await ckpt(['format', '{x}', 'x=5.'])).stdout).toBe('5.0\n')
    expect((await ckpt(['format', '{b:d}', 'b=True'])).stdout).toBe('1\n')
    expect((await ckpt(['format', 'plain.keras'])).stdout).toBe('plain.keras\n')
  })
  it('a template starting with - goes after --', async () => {
    expect((await ckpt(['format', '--', '-{x}', 'x=1'])).stdout).toBe('-1\n')
  })
  it('exits 2 where Python raises, with the template error and no stack trace', async () => {
    for (const [argv, part] of [
      [['format', '{epoch:d}', 'epoch=1.5'], 'needs an integer'],
      [['format', '{missing}'], 'missing'],
      [['format', '{'], 'cannot format'],
    ] as const) {
      const r = await ckpt(argv)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr.toLowerCase()).toContain(part.toLowerCase())
      expect(r.stderr).not.toMatch(STACK_LINE)
    }
  })
  it("an integer given as a float gets a hint a command line can follow (epoch=3), not the library's bigint literal", async () => {
    const r = await ckpt(['format', 'e{epoch:02d}', 'epoch=3.0'])
    expect(r.stderr).toBe(
      `ckpt: cannot format "e{epoch:02d}": field "epoch": format code 'd' needs an integer, got the float 3 (give an integer: epoch=3)\n`,
    )
    expect((await ckpt(['format', 'e{epoch:02d}', 'epoch=3'])).stdout).toBe('e03\n')
  })
  it('exits 2 on bad arguments with a pointer to the help', async () => {
    for (const [argv, part] of [
      [['format'], 'missing argument: expected TEMPLATE'],
      [['format', '{x}', 'x'], '"x" is not NAME=VALUE'],
      [['format', '{x}', '=1'], 'has an empty NAME'],
      [['format', '{x}', 'x=1', 'x=2'], 'x is given twice'],
      [['format', '{x}', '--width', '3'], "Unknown option '--width'"],
    ] as const) {
      const r = await ckpt(argv)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.stderr).toContain(part)
      expect(r.stderr).toContain("Run 'ckpt format --help' for usage.")
    }
  })
})

const templates: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ['ckpt-{epoch:02d}-{val_loss:.4f}.keras', ['epoch=3', 'val_loss=0.25']],
  ['{epoch:03d}_{loss}', ['epoch=12', 'loss=0.30000000000000004']],
  ['{lr:.2e}|{lr}|{lr:g}|{lr:%}', ['lr=1e-5']],
  ['{x:>10,.2f}|{x!r}|{x:_}', ['x=1234567.891']],
  ['{n:+,}|{n:x}|{n:#o}|{n:b}', ['n=-123456789']],
  ['{big}', ['big=123456789012345678901234567890']],
  ['{v}|{v:.3}|{v:f}|{v:e}', ['v=nan']],
  ['{v}|{v:+}|{v:=^9}', ['v=-inf']],
  ['{s!r}|{s:*^9}|{s!a}', ['s=héllo']],
  ['{b}|{b:d}|{b!r}|{b:>6}', ['b=True']],
  ['{{literal}}-{e:.1f}', ['e=2.25']],
  ['{z:z.1f}|{z}', ['z=-0.04']],
]

describe.skipIf(pythonMissing() !== null)('ckpt format against CPython str.format', () => {
  // One python3 run renders every template, with values typed by the same rule (int, else float, else bool, else str).
  let expected: string[] = []
  beforeAll(() => {
    const py = `
import json, sys
def val(s):
    k, v = s.split('=', 1)
    try: return k, int(v)
    except ValueError: pass
    try: return k, float(v)
    except ValueError: pass
    return k, {'True': True, 'False': False}.get(v, v)
cases = json.load(sys.stdin)
print(json.dumps([t.format(**dict(val(a) for a in args)) for t, args in cases]))
`
    const r = spawnSync('python3', ['-c', py], { input: JSON.stringify(templates), encoding: 'utf8' })
    if (r.status !== 0) throw new Error(r.stderr)
    expected = JSON.parse(r.stdout) as string[]
  })
  it.each(templates.map((t, i) => [i, ...t] as const))('#%i %s', async (i, template, assignments) => {
    const got = await ckpt(['format', template, ...assignments])
    expect(got.code).toBe(0)
    expect(got.stdout).toBe(`${expected[i]}\n`)
  })
})
if (pythonMissing() !== null) console.warn(`skipped the CPython ckpt format comparison: ${pythonMissing()}`)
