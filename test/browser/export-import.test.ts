import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createCheckpointer, exportRun, importCheckpoints, type Tensors } from '../../src/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { tensorsOf, type PageApi } from './pages/export-import.js'
import { chromiumFor, openTestPage } from './support/session.js'

// A run's archive moves between Node and the browser both ways: exported in Node, imported in Chromium from a file
// picker or a fetch into IndexedDB or OPFS; exported in Chromium as a download, imported in Node. Every byte is
// checked on import, and the checkpoints restore bit for bit.
const browser = await chromiumFor('checkpoint archives in and out of the browser')
const entry = new URL('./pages/export-import.ts', import.meta.url)
const dir = mkdtempSync(join(tmpdir(), 'ckpt-browser-archive-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Page = PageApi & { tensorsOf: typeof tensorsOf }
/** The little of the DOM these pages use (the Node program's types have none). */
interface Doc {
  querySelector(selector: string): { readonly files: ArrayLike<Blob> }
  createElement(tag: string): { click(): void }
  readonly body: { append(element: unknown): void }
}
const LOSSES = [0.5, 0.3, 0.4]

/** Saves three epochs (retention off) on `storage`; the second is the best. */
const saveRun = async (storage: Storage) => {
  const c = await createCheckpointer({ storage, filepath: 'ckpt-{epoch:02d}.safetensors', monitor: 'val_loss', log: () => {} })
  for (const [epoch, loss] of LOSSES.entries()) await c.onEpochEnd({ epoch, logs: { val_loss: loss } }, tensorsOf(epoch))
  await c.close()
}

const collect = async (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> => {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return new Uint8Array(Buffer.concat(parts))
}

/** Each tensor's dtype, shape and the SHA-256 of its bytes (the page computes the same with Web Crypto). */
const digests = (t: Tensors) =>
  Object.fromEntries(
    Object.entries(t).map(([k, v]) => [
      k,
      `${v.dtype} ${v.shape.join('x')} ${createHash('sha256')
        .update(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength))
        .digest('hex')}`,
    ]),
  )

/** In the page: imports `source()` into `target`, then restores latest and best there; the tensors' bytes and paths. */
const importAndRestore = async ([target, how]: readonly ['indexeddb' | 'opfs', 'picker' | 'fetch' | 'corrupt']) => {
  const ckpt = (globalThis as unknown as { ckpt: Page }).ckpt
  const storage = target === 'indexeddb' ? ckpt.indexedDbStorage(`import-${how}`) : ckpt.opfsStorage(`import-${how}`)
  const source =
    how === 'picker'
      ? (globalThis as unknown as { document: Doc }).document.querySelector('input[type=file]').files[0]!
      : await fetch(how === 'fetch' ? '/run.tar' : '/corrupt.tar')
  const imported = await ckpt
    .importCheckpoints(storage, source)
    .catch((e: unknown) => ({ error: ckpt.isCkptError(e) ? e._tag : String(e) }))
  const c = await ckpt.createCheckpointer({ storage, filepath: 'ckpt-{epoch:02d}.safetensors', monitor: 'val_loss', log: () => {} })
  const digests = async (t: Tensors) => {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(t)) {
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength)))
      out[k] = `${v.dtype} ${v.shape.join('x')} ${Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('')}`
    }
    return out
  }
  const listed = (await c.list()).map((e) => e.path)
  const latest = listed.length === 0 ? null : await c.restore('latest')
  const best = listed.length === 0 ? null : await c.restore('best')
  await c.close()
  return {
    imported: 'error' in imported ? imported : imported.imported.map((e) => e.path),
    listed,
    latest: latest && { path: latest.entry.path, tensors: await digests(latest.value) },
    best: best && { path: best.entry.path, tensors: await digests(best.value) },
  }
}

if (browser !== null) {
  const source = memoryStorage()
  await saveRun(source)
  const archive = await collect(await exportRun(source))
  const corrupt = archive.slice()
  corrupt[corrupt.length - 4096]! ^= 0x40 // inside the last checkpoint's tensor bytes
  const opened = await openTestPage(browser, entry, {
    waitForTests: false,
    assets: new Map([
      ['/run.tar', { type: 'application/x-tar', body: archive }],
      ['/corrupt.tar', { type: 'application/x-tar', body: corrupt }],
    ]),
  })
  afterAll(() => opened.close())
  await opened.page.waitForFunction(() => 'ckpt' in globalThis)
  const expected = {
    latest: { path: 'ckpt-03.safetensors', tensors: digests(tensorsOf(2)) },
    best: { path: 'ckpt-02.safetensors', tensors: digests(tensorsOf(1)) },
  }
  // Keras numbers epochs from 1 in file names: epoch 0 is ckpt-01.
  const paths = ['ckpt-01.safetensors', 'ckpt-02.safetensors', 'ckpt-03.safetensors']

  it('an archive exported in Node, picked as a file, imports into IndexedDB and restores latest and best bit for bit', async () => {
    await opened.page.evaluate(() => {
      const { document } = globalThis as unknown as { document: Doc }
      document.body.append(Object.assign(document.createElement('input'), { type: 'file' }))
    })
    await opened.page.setInputFiles('input[type=file]', { name: 'run.tar', mimeType: 'application/x-tar', buffer: Buffer.from(archive) })
    const r = await opened.page.evaluate(importAndRestore, ['indexeddb', 'picker'] as const)
    expect(r).toEqual({ imported: paths, listed: paths, ...expected })
  })

  it('the same archive fetched imports into OPFS, restoring the same', async () => {
    const r = await opened.page.evaluate(importAndRestore, ['opfs', 'fetch'] as const)
    expect(r).toEqual({ imported: paths, listed: paths, ...expected })
  })

  it('an archive with one flipped byte is refused, and nothing is imported', async () => {
    const r = await opened.page.evaluate(importAndRestore, ['opfs', 'corrupt'] as const)
    expect(r.imported).toMatchObject({ error: expect.stringMatching(/Corrupt|InvalidArchive/) })
    expect(r.listed).toEqual([])
  })

  it('a run saved in Chromium on IndexedDB, exported as a download, imports in Node and restores bit for bit', async () => {
    const download = opened.page.waitForEvent('download')
    await opened.page.evaluate(async () => {
      const ckpt = (globalThis as unknown as { ckpt: Page }).ckpt
      const storage = ckpt.indexedDbStorage('saved-here')
      const c = await ckpt.createCheckpointer({ storage, filepath: 'ckpt-{epoch:02d}.safetensors', monitor: 'val_loss', log: () => {} })
      for (const [epoch, loss] of [0.5, 0.3, 0.4].entries()) await c.onEpochEnd({ epoch, logs: { val_loss: loss } }, ckpt.tensorsOf(epoch))
      await c.close()
      const archive = await ckpt.exportRun(storage)
      const blob = await new Response(archive.stream()).blob()
      const { document } = globalThis as unknown as { document: Doc }
      const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: 'run.tar' })
      document.body.append(a)
      a.click()
    })
    const file = join(dir, 'downloaded.tar')
    await (await download).saveAs(file)
    const target = fsStorage(join(dir, 'from-browser'))
    const imported = await importCheckpoints(target, new Uint8Array(readFileSync(file)))
    expect(imported.imported.map((e) => e.path)).toEqual(paths)
    const c = await createCheckpointer({ storage: target, filepath: 'ckpt-{epoch:02d}.safetensors', monitor: 'val_loss', log: () => {} })
    const latest = await c.restore('latest')
    const best = await c.restore('best')
    await c.close()
    expect({ path: latest.entry.path, tensors: digests(latest.value) }).toEqual(expected.latest)
    expect({ path: best.entry.path, tensors: digests(best.value) }).toEqual(expected.best)
  })
}
