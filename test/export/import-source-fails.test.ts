import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { exportRun, importCheckpoints } from '../../src/checkpointer/export/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { bytesOf, quiet, trainRun } from './support.js'

const dir = mkdtempSync(join(tmpdir(), 'ckpt-import-source-fails-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a source that fails while a file streams into the target (a dropped connection)', () => {
  it.each([
    ['memory', () => memoryStorage()],
    ['fs', () => fsStorage(join(dir, 'target'))],
  ])('into %s storage: rejects with its own error, not a failure of the target; nothing left', async (_, make) => {
    const source = memoryStorage()
    await trainRun(source, 2)
    const bytes = await bytesOf(await exportRun(source))
    const target = make()
    const dropped = new Error('connection reset by peer')
    async function* download(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, bytes.byteLength - 1500) // inside the data of the last file
      throw dropped
    }
    const e = await importCheckpoints(target, download(), quiet).then(
      () => null,
      (x: unknown) => x,
    )
    expect(e).toBe(dropped)
    expect(await target.list()).toEqual([])
  })
})
