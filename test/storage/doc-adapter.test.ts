import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Storage } from '../../src/storage/storage.js'
import { conformance } from './conformance.js'

// The adapter of docs/writing-an-adapter.md, verbatim but for its `from 'ckpt'` import.
const docPath = fileURLToPath(new URL('../../docs/writing-an-adapter.md', import.meta.url))
const storageIndex = fileURLToPath(new URL('../../src/storage/index.ts', import.meta.url))
let dir = ''
let mapStorage: (() => Storage) | undefined

beforeAll(async () => {
  const doc = await readFile(docPath, 'utf8')
  const block = /<!-- adapter:begin -->\n```ts\n([\s\S]*?)```\n<!-- adapter:end -->/.exec(doc)?.[1]
  if (block === undefined) throw new Error(`${docPath} has no adapter block between <!-- adapter:begin --> and <!-- adapter:end -->`)
  expect(block).toContain("from 'ckpt'")
  // Inside the repository (git-ignored), so that its fp-ts imports resolve as a user's would.
  dir = fileURLToPath(new URL(`./.generated/doc-adapter-${process.pid}/`, import.meta.url))
  await mkdir(dir, { recursive: true })
  const file = join(dir, 'map-storage.ts')
  await writeFile(file, block.replace("from 'ckpt'", `from ${JSON.stringify(storageIndex)}`))
  mapStorage = ((await import(/* @vite-ignore */ file)) as { mapStorage: () => Storage }).mapStorage
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the adapter in docs/writing-an-adapter.md', () => {
  it('is a factory returning a Storage synchronously', () => {
    const storage = mapStorage!()
    expect(storage.name).toBe('map')
    expect(storage.capabilities).toEqual({ ifAbsent: true, ifMatch: true })
  })
})

conformance({ name: 'docs/writing-an-adapter.md map adapter', make: () => mapStorage!() })
