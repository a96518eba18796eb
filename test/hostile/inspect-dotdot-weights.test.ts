import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { ckpt, tempDir } from '../cli/support.js'

const tmp = tempDir('ckpt-hostile-dotdot-')
afterAll(tmp.cleanup)

const modelJson = (paths: string[]) => ({
  modelTopology: { class_name: 'Sequential', config: { name: 'm', layers: [{ class_name: 'Dense', config: {} }] } },
  format: 'layers-model',
  weightsManifest: [{ paths, weights: [{ name: 'dense/kernel', shape: [2, 3], dtype: 'float32' }] }],
})

const cases: ReadonlyArray<string> = ['../secret.bin', 'sub/../../secret.bin', '..\\secret.bin', './../secret.bin']

for (const path of cases)
  it(`ckpt inspect refuses the weight path ${JSON.stringify(path)} without reading outside the model folder`, async () => {
    const dir = join(tmp.dir, `m${cases.indexOf(path)}`)
    mkdirSync(join(dir, 'model', 'sub'), { recursive: true })
    writeFileSync(join(dir, 'secret.bin'), new Uint8Array(651))
    writeFileSync(join(dir, 'model', 'model.json'), JSON.stringify(modelJson([path])))
    const json = await ckpt(['inspect', join(dir, 'model', 'model.json'), '--json'])
    expect(json.code).toBe(1)
    const out = JSON.parse(json.stdout) as { files: Array<{ actualBytes: number | null }>; problems: string[] }
    expect(out.files[0]?.actualBytes).toBeNull()
    expect(out.problems.join('\n')).toContain("is not inside the model's folder")
    const text = await ckpt(['inspect', join(dir, 'model', 'model.json')])
    expect(text.code).toBe(1)
    expect(text.stdout).not.toContain('651')
    expect(text.stdout).toContain("'..' segment")
  })
