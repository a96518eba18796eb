import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { elements, marksOf, parseXml } from '../cli/pictures.js'
import { ckpt, tempDir } from '../cli/support.js'
import { root, runDemo } from './support/run-demo.js'

const COMMITTED = join(root, 'docs', 'images', 'demo-run.svg')
/** The command that drew the README's picture, but for the folder (README.md shows it). */
const TITLE = 'npm run demo: val_loss per epoch'

const demo = (dir: string) => runDemo(['--storage', join(dir, 'checkpoints')])

/** Every element as `tag.class`, in document order: the drawing's structure. */
const structure = (doc: ReturnType<typeof parseXml>) => elements(doc, '*').map((e) => `${e.tagName}.${e.getAttribute('class') ?? ''}`)

describe("the README's picture (docs/images/demo-run.svg) is what ckpt plot draws from npm run demo's run", () => {
  it('a fresh demo run, drawn with the same command, gives the same picture: same marks at the same epochs, same values', async () => {
    const { dir, cleanup } = tempDir('ckpt-demo-plot-')
    try {
      const { code, out } = await demo(dir)
      expect(code, out).toBe(0)
      const history = join(dir, 'checkpoints-history.jsonl')
      const policy = join(dir, 'checkpoints-policy.json')
      expect(existsSync(history) && existsSync(policy), out).toBe(true)
      expect(out).toContain(`Draw it: npx ckpt plot ${join(dir, 'checkpoints')} --log ${history} --config ${policy} --out run.svg`)
      const r = await ckpt(['plot', join(dir, 'checkpoints'), '--log', history, '--config', policy, '--title', TITLE])
      expect(r.code, r.stderr).toBe(0)
      // No note: the replay of the history through the policy keeps exactly what the index holds.
      expect(r.stderr).toBe('')
      const fresh = parseXml(r.stdout)
      const committed = parseXml(readFileSync(COMMITTED, 'utf8'))
      expect(structure(fresh)).toEqual(structure(committed))
      for (const kind of ['save', 'skip', 'deleted', 'kept', 'best'] as const) {
        const [a, b] = [marksOf(fresh, kind), marksOf(committed, kind)]
        expect(
          a.map((m) => m.x),
          kind,
        ).toEqual(b.map((m) => m.x))
        // The demo is seeded and resumes bit-exactly; another CPU's wasm may round differently in the last digits.
        a.forEach((m, i) => expect(Math.abs(Number(m.value) - Number(b[i]!.value))).toBeLessThan(1e-4 * Math.abs(Number(b[i]!.value))))
      }
      const texts = (doc: typeof fresh) => elements(doc, 'text').map((t) => (t.textContent ?? '').replace(/\d\.\d{4,}/g, '#'))
      expect(texts(fresh)).toEqual(texts(committed))
      if (r.stdout !== readFileSync(COMMITTED, 'utf8'))
        console.info('demo-run.svg: same picture, but not byte for byte (last digits differ)')
    } finally {
      cleanup()
    }
  }, 240_000)
})
