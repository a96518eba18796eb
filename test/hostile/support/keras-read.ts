import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, expect, type TestContext } from 'vitest'
import { encodeKerasModel } from '../../../src/adapters/tfjs/keras/model-file.js'
import { decodeZip } from '../../../src/keras/zip-read.js'
import { tempDir } from '../../cli/support.js'
import { deterministicModel } from '../../keras/support/archs.js'
import { runChild } from './child.js'
import { rawZip, storedEntry, type RawEntry } from './zip-bomb.js'

/** The bound for reading a hostile `.keras`: 1 s, asserted with room for a loaded 2-core machine. */
export const TIME_BUDGET_MS = 3_000
/** The bound on memory above the entries a read needs. */
export const MEMORY_BUDGET_BYTES = 64 << 20

/** A plain `.keras` of a small Dense model, as ckpt writes it, and its entries (stored). */
const plainKeras = async (): Promise<{ readonly bytes: Uint8Array; readonly entries: ReadonlyArray<RawEntry> }> => {
  const model = deterministicModel(tf.train.adam(0.01))
  const bytes = await encodeKerasModel(model, new Date(0))
  model.dispose()
  if (E.isLeft(bytes)) throw new Error(bytes.left.message)
  const entries = await decodeZip(bytes.right)
  if (E.isLeft(entries)) throw new Error(entries.left.message)
  return { bytes: bytes.right, entries: entries.right.map((e) => storedEntry(e.name, e.data)) }
}

export interface KerasReadReport {
  readonly outcome:
    | { readonly _tag: 'Left'; readonly error: { readonly _tag: string; readonly path: string; readonly message: string } }
    | { readonly _tag: 'Right'; readonly equalsPlain: boolean }
  readonly elapsedMs: number
  /** Peak RSS during the read minus RSS before it. */
  readonly growthBytes: number
}

/**
 * `decodeKerasArchive` of `hostile`, run in a fresh child process (see `read-keras-child.ts`) with `plain` read
 * first; the child is killed past `killAboveBytes` of RSS or 60 s, and that fails the test with the reason.
 */
const readKerasInChild = async (
  dir: string,
  plain: Uint8Array,
  hostile: Uint8Array,
  killAboveBytes = 1 << 30,
): Promise<KerasReadReport> => {
  const plainFile = join(dir, 'plain.keras')
  const hostileFile = join(dir, 'hostile.keras')
  writeFileSync(plainFile, plain)
  writeFileSync(hostileFile, hostile)
  const r = await runChild('test/hostile/support/read-keras-child.ts', [hostileFile, plainFile], { killAboveBytes, timeoutMs: 60_000 })
  if (r._tag === 'Killed') throw new Error(`the read was killed: ${r.reason} (after ${Math.round(r.elapsedMs)} ms)`)
  if (r._tag === 'Failed') throw new Error(`the child failed (exit ${r.code}): ${r.stderr}`)
  return r.report as KerasReadReport
}

/**
 * For a test file: a temp folder and the plain archive, made before its tests and removed after them;
 * `replaced(entry)` is the plain archive with `entry` in place of the entry of that name, and `read(hostile)`
 * reads an archive in a child, recording what the read took in the test's annotations.
 */
export const kerasFixture = () => {
  const tmp = tempDir('ckpt-hostile-zip-')
  let plain: { readonly bytes: Uint8Array; readonly entries: ReadonlyArray<RawEntry> } | undefined
  beforeAll(async () => {
    plain = await plainKeras()
  })
  afterAll(tmp.cleanup)
  const get = () => {
    if (plain === undefined) throw new Error('the plain archive is made in beforeAll')
    return plain
  }
  return {
    plain: get,
    replaced: (entry: RawEntry): Uint8Array => rawZip([...get().entries.filter((e) => e.name !== entry.name), entry]),
    read: async (context: TestContext, hostile: Uint8Array, killAboveBytes?: number): Promise<KerasReadReport> => {
      const r = await readKerasInChild(tmp.dir, get().bytes, hostile, killAboveBytes)
      await context.annotate(`read in ${r.elapsedMs.toFixed(1)} ms, peak RSS +${(r.growthBytes / 2 ** 20).toFixed(1)} MiB`)
      return r
    },
  }
}

/** The read's outcome: `InvalidKerasArchive` with a message containing `text`. */
export const refusedWith = (text: string) => ({
  _tag: 'Left',
  error: { _tag: 'InvalidKerasArchive', message: expect.stringContaining(text) },
})

/** The bounds: the time budget, and the memory budget above the `needed` bytes the read must hold. */
export const expectWithinBudget = (r: KerasReadReport, needed = 0): void => {
  expect(r.elapsedMs).toBeLessThan(TIME_BUDGET_MS)
  expect(r.growthBytes).toBeLessThan(needed + MEMORY_BUDGET_BYTES)
}
