import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { commands } from '../../src/cli/main.js'
import { ckpt, fixture, repoRoot, STACK_LINE } from './support.js'

const pkgVersion = (JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { version: string }).version

describe('ckpt: help, version and usage errors', () => {
  it('--help, -h and help print the usage listing every command, exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await ckpt(argv)
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      expect(r.stdout).toMatch(/^Usage: ckpt <command>/)
      for (const c of commands)
        expect(r.stdout).toMatch(new RegExp(`^  ${c.name}\\s+${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'))
    }
  })
  it('each command has --help and help <command>, printing the same text, exit 0', async () => {
    expect(commands.map((c) => c.name)).toEqual(['simulate', 'format', 'ls', 'verify', 'inspect', 'export', 'import', 'plot', 'report'])
    for (const c of commands) {
      const a = await ckpt([c.name, '--help'])
      const b = await ckpt(['help', c.name])
      expect(a.code).toBe(0)
      expect(a.stdout).toBe(`${c.help}\n`)
      expect(b.stdout).toBe(a.stdout)
      expect(a.stdout).toMatch(new RegExp(`^Usage: ckpt ${c.name} `))
      expect(a.stdout).toContain('Exit codes:')
    }
  })
  it('--help wins over missing arguments', async () => {
    expect((await ckpt(['simulate', '--help'])).code).toBe(0)
    expect((await ckpt(['ls', '-h'])).code).toBe(0)
  })
  it("--version prints package.json's version", async () => {
    expect(await ckpt(['--version'])).toEqual({ code: 0, stdout: `${pkgVersion}\n`, stderr: '' })
  })
  it('no command prints the usage on stderr, exit 2', async () => {
    const r = await ckpt([])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Usage: ckpt <command>/)
  })
  it('an unknown command or option exits 2 naming it, with the commands listed', async () => {
    for (const [argv, part] of [
      [['train'], 'unknown command "train"; commands: simulate, format, ls, verify, inspect, export, import, plot, report'],
      [['--verbose'], 'unknown option "--verbose" before the command'],
      [['help', 'train'], 'unknown command "train"'],
    ] as const) {
      const r = await ckpt(argv)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain(part)
      expect(r.stderr).toContain("Run 'ckpt --help' for usage.")
    }
  })
  it('no usage error of any command prints a stack trace', async () => {
    const cases = [
      ['simulate', '--config', fixture('policy.json'), '--csv', '/nonexistent/x.log'],
      ['simulate', '--config', fixture('training.log'), '--csv', fixture('training.log')],
      ['simulate', '--csv', fixture('training.log'), '--config', fixture('policy.json'), '--json=3'],
      ['format', '{x:d}', 'x=abc'],
      ['ls', '/nonexistent', '--endpoint', 'x'],
      ['verify', 's3://bucket/prefix', '--endpoint', 'ftp://x'],
      ['inspect', fixture('policy.json')],
      ['inspect', fixture('training.log')],
    ]
    for (const argv of cases) {
      const r = await ckpt(argv)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.stderr, argv.join(' ')).toMatch(/^ckpt/)
      expect(r.stderr).not.toMatch(STACK_LINE)
    }
  })
})
