import { afterAll, describe, expect, it } from 'vitest'
import { ckpt, scratch } from './support.js'

const tmp = scratch()
afterAll(tmp.cleanup)
const write = tmp.write

// val_loss 0.25, 0.25, 0, nan: Lightning's save_top_k=2 holds epochs 2 and 3 (1-based) at the end.
const csv = write('ties.log', 'epoch,loss,val_loss\n0,1.0,0.25\n1,0.9,0.25\n2,0.8,0.0\n3,0.7,nan\n')
const run = async (retention: Record<string, unknown>, json = false) =>
  ckpt([
    'simulate',
    '--config',
    write('ties.json', JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'val_loss', saveTopK: 2, ...retention })),
    '--csv',
    csv,
    ...(json ? ['--json'] : []),
  ])

describe('ckpt simulate with keepLatest / keepBest', () => {
  it("both false: keeps exactly Lightning's top 2 and says the newest and the best are not protected", async () => {
    const r = await run({ keepLatest: false, keepBest: false })
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout.split('\n').slice(-6).join('\n')).toBe(
      [
        '4 saves in 4 events. Retention: saveTopK 2, the newest not protected (keepLatest false), the best not protected (keepBest false).',
        'Kept at the end (2 of 4; 2 deleted along the way):',
        '  path       epoch  val_loss',
        '  m-2.keras  2      0.25',
        '  m-3.keras  3      0.0       best,latest',
        '',
      ].join('\n'),
    )
    const out = JSON.parse((await run({ keepLatest: false, keepBest: false }, true)).stdout) as { retention: unknown; removed: string[] }
    expect(out.retention).toEqual({ saveTopK: 2, keepLatest: false, keepBest: false })
    expect(out.removed).toEqual(['m-1.keras', 'm-4.keras'])
  })

  it('the defaults keep the newest (the NaN epoch) too', async () => {
    const out = JSON.parse((await run({}, true)).stdout) as { kept: Array<{ path: string }> }
    expect(out.kept.map((k) => k.path)).toEqual(['m-2.keras', 'm-3.keras', 'm-4.keras'])
  })

  it('a non-boolean flag exits 2 naming the option, the value and what is accepted', async () => {
    const r = await run({ keepBest: 'no' })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('keepBest: got "no"; expected true or false')
  })
})
