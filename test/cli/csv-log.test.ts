import { spawnSync } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { parseCsvLog } from '../../src/cli/csv-log.js'
import { pythonMissing } from './support.js'

const events = (text: string, separator = ',') => {
  const r = parseCsvLog(text, 'log.csv', separator)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right.events
}
const error = (text: string): string => {
  const r = parseCsvLog(text, 'log.csv')
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left.message
}

describe('parseCsvLog (Keras CSVLogger files)', () => {
  it('reads CSVLogger rows: \\r\\n endings, 0-based epoch, the epoch column not a log key', () => {
    expect(events('epoch,loss,val_loss\r\n0,0.5,0.6\r\n1,0.25,0.3\r\n')).toEqual([
      { line: 2, event: { epoch: 0, logs: { loss: 0.5, val_loss: 0.6 } } },
      { line: 3, event: { epoch: 1, logs: { loss: 0.25, val_loss: 0.3 } } },
    ])
  })
  it('reads \\n, \\r and Windows text-mode \\r\\r\\n endings like Python universal newlines', () => {
    const want = [
      { epoch: 0, logs: { loss: 1 } },
      { epoch: 1, logs: { loss: 2 } },
    ]
    for (const nl of ['\n', '\r', '\r\r\n']) expect(events(`epoch,loss${nl}0,1${nl}1,2${nl}`).map((e) => e.event)).toEqual(want)
  })
  it('reads nan, inf, -inf as Python writes them, and NA or an empty cell as a missing key', () => {
    const [e] = events('epoch,a,b,c,d,e\n0,nan,inf,-inf,NA,\n')
    expect(Object.is(e!.event.logs.a, NaN)).toBe(true)
    expect(e!.event.logs.b).toBe(Infinity)
    expect(e!.event.logs.c).toBe(-Infinity)
    expect(Object.keys(e!.event.logs)).toEqual(['a', 'b', 'c'])
  })
  it('reads quoted header names (with separators and doubled quotes) and a BOM', () => {
    expect(events('\ufeffepoch,"a,b","say ""hi"""\n0,1,2\n')[0]!.event.logs).toEqual({ 'a,b': 1, 'say "hi"': 2 })
  })
  it('skips blank lines and allows the epoch column anywhere', () => {
    expect(events('loss,epoch\n\n0.5,3\n\n').map((e) => e.event)).toEqual([{ epoch: 3, logs: { loss: 0.5 } }])
  })
  it('rejects what Keras does not write, naming the line', () => {
    expect(error('epoch,loss,loss\n')).toContain('line 1: the header names the column "loss" twice')
    expect(error('epoch,loss\n0,"unclosed\n')).toContain('line 2: a quoted field is not closed')
    expect(error('epoch,loss\n1.5,0.1\n')).toContain('line 2: column "epoch": got "1.5"')
    expect(error('epoch,loss\n0,0x10\n')).toContain('line 2: column "loss": got "0x10"')
  })
})

describe.skipIf(pythonMissing() !== null)("parseCsvLog against CPython csv.DictWriter (CSVLogger's writer) on 300 random logs", () => {
  it('reads back every value and every key CPython wrote', () => {
    const script = `
import csv, io, json, math, random
random.seed(20261126)
specials = [float('nan'), float('inf'), float('-inf'), 0.0, -0.0, 1e-300, 5e-324, 1.7976931348623157e308, 1e16, 1e-05, 0.1 + 0.2]
names = ['loss', 'val_loss', 'accuracy', 'a,b', 'q"uote', 'lr', 'x y']
cases = []
for n in range(300):
    keys = sorted(random.sample(names, random.randint(1, len(names))))
    buf = io.StringIO()
    sep = random.choice([',', ',', ';', '\\t'])
    class D(csv.excel):
        delimiter = sep
    w = csv.DictWriter(buf, fieldnames=['epoch'] + keys, dialect=D)
    w.writeheader()
    rows = []
    for epoch in range(random.randint(0, 6)):
        logs = {}
        for k in keys:
            r = random.random()
            v = 'NA' if r < 0.1 else random.choice(specials) if r < 0.3 else random.uniform(-10, 10) * 10 ** random.randint(-8, 8)
            logs[k] = v
        w.writerow({'epoch': epoch, **logs})
        rows.append({'epoch': epoch, 'logs': {k: repr(v) for k, v in logs.items() if v != 'NA'}})
    cases.append({'text': buf.getvalue(), 'sep': sep, 'rows': rows})
print(json.dumps(cases))
`
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    expect(r.status, r.stderr).toBe(0)
    const cases = JSON.parse(r.stdout) as Array<{ text: string; sep: string; rows: Array<{ epoch: number; logs: Record<string, string> }> }>
    const fromRepr = (s: string): number => (s === 'nan' ? NaN : s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s))
    let values = 0
    for (const c of cases) {
      const got = events(c.text, c.sep)
      expect(got.map((e) => e.event.epoch)).toEqual(c.rows.map((row) => row.epoch))
      got.forEach((e, i) => {
        const want = c.rows[i]!.logs
        expect(Object.keys(e.event.logs).sort()).toEqual(Object.keys(want).sort())
        for (const [k, v] of Object.entries(want)) {
          expect(Object.is(e.event.logs[k], fromRepr(v)), `${k}: ${v} vs ${e.event.logs[k]}`).toBe(true)
          values++
        }
      })
    }
    expect(values).toBeGreaterThan(1000)
  })
})
if (pythonMissing() !== null) console.warn(`skipped the CPython csv differential test: ${pythonMissing()}`)
