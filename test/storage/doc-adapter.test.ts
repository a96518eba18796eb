import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { Storage } from '../../src/storage/storage.js'

// The adapter of docs/writing-an-adapter.md and its conformance test file, verbatim but for their `from 'ckpt/storage'`
// and `from 'ckpt/testing'` imports. They are written and imported while this file is collected, so that the
// doc's `conformance(...)` call registers its tests here.
const docPath = fileURLToPath(new URL('../../docs/writing-an-adapter.md', import.meta.url))
const storageIndex = fileURLToPath(new URL('../../src/storage/index.ts', import.meta.url))
const testingIndex = fileURLToPath(new URL('../../src/testing/index.ts', import.meta.url))

const doc = await readFile(docPath, 'utf8')
const blockOf = (name: string): string => {
  const block = new RegExp(`<!-- ${name}:begin -->\\n(?:<!--[^\\n]*-->\\n)?\`\`\`ts\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(doc)?.[1]
  if (block === undefined) throw new Error(`${docPath} has no ${name} block between <!-- ${name}:begin --> and <!-- ${name}:end -->`)
  return block
}
const adapter = blockOf('adapter')
const suite = blockOf('conformance')
// Inside the repository (git-ignored), so that its imports resolve as a user's would.
const dir = fileURLToPath(new URL(`./.generated/doc-adapter-${process.pid}/`, import.meta.url))
await mkdir(dir, { recursive: true })
await writeFile(join(dir, 'map-storage.ts'), adapter.replace("from 'ckpt/storage'", `from ${JSON.stringify(storageIndex)}`))
await writeFile(join(dir, 'map-storage.conformance.ts'), suite.replace("from 'ckpt/testing'", `from ${JSON.stringify(testingIndex)}`))
const { mapStorage } = (await import(/* @vite-ignore */ join(dir, 'map-storage.ts'))) as { mapStorage: () => Storage }
await import(/* @vite-ignore */ join(dir, 'map-storage.conformance.ts'))

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the adapter in docs/writing-an-adapter.md', () => {
  it('imports from ckpt/storage, and its test from ckpt/testing', () => {
    expect(adapter).toContain("from 'ckpt/storage'")
    expect(suite).toContain("from 'ckpt/testing'")
  })

  it('is a factory returning a Storage synchronously', () => {
    const storage = mapStorage()
    expect(storage.name).toBe('map')
    expect(storage.capabilities).toEqual({ ifAbsent: true, ifMatch: true })
  })
})
