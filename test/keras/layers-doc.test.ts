import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { layersTable, withTable } from '../../scripts/keras-layers-doc.js'

describe('docs/keras-interop.md', () => {
  it("holds the table of layers generated from ckpt's own tables (run npm run docs:layers after changing them)", async () => {
    const doc = await readFile(join(import.meta.dirname, '..', '..', 'docs', 'keras-interop.md'), 'utf8')
    expect(withTable(doc, layersTable())).toBe(doc)
  })
})
