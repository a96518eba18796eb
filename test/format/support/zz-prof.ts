import { parseTemplate } from '../../../src/format/index.js'
const time = (label: string, tpl: string, vals: (i: number) => any) => {
  const t = (parseTemplate(tpl) as any).right
  const N = 300000
  for (let i = 0; i < N; i++) t.render(vals(i))
  const t0 = performance.now()
  for (let i = 0; i < N; i++) t.render(vals(i))
  console.log(label, (((performance.now() - t0) * 1e6) / N).toFixed(0), 'ns')
}
const eps = Array.from({ length: 1024 }, (_, i) => BigInt(i + 1))
const ls = Array.from({ length: 1024 }, (_, i) => 2 / (i + 1.37))
time('literal', 'epoch_abc', () => ({}))
time('int plain', '{e}', (i) => ({ e: eps[i & 1023] }))
time('int 02d', '{e:02d}', (i) => ({ e: eps[i & 1023] }))
time('float .4f', '{v:.4f}', (i) => ({ v: ls[i & 1023] }))
time('float repr', '{v}', (i) => ({ v: ls[i & 1023] }))
let s = 0; const t0 = performance.now(); for (let i = 0; i < 300000; i++) s += ls[i & 1023]!.toFixed(4).length; console.log('toFixed', (((performance.now() - t0) * 1e6) / 300000).toFixed(0))
