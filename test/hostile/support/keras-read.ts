import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as E from 'fp-ts/lib/Either.js'
import { encodeKerasModel } from '../../../src/adapters/tfjs/keras/model-file.js'
import { decodeZip } from '../../../src/keras/zip-read.js'
import { deterministicModel } from '../../keras/support/archs.js'
import { runChild } from './child.js'
import { storedEntry, type RawEntry } from './zip-bomb.js'

/** The bound for reading a hostile `.keras`: 1 s, asserted with room for a loaded 2-core machine. */
export const TIME_BUDGET_MS = 3_000
/** The bound on memory above the entries a read needs. */
export const MEMORY_BUDGET_BYTES = 64 << 20

/** A plain `.keras` of a small Dense model, as ckpt writes it, and its entries (stored). */
export const plainKeras = async (): Promise<{ readonly bytes: Uint8Array; readonly entries: ReadonlyArray<RawEntry> }> => {
  const model = deterministicModel(tf.train.adam(0.01))
  const bytes = await encodeKerasModel(model, new Date(0))
  model.dispose()
  if (E.isLeft(bytes)) throw new Error(bytes.left.message)
  const entries = decodeZip(bytes.right)
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
export const readKerasInChild = async (
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

/** A line for the test's annotations: what the read took. */
export const measured = (r: KerasReadReport): string =>
  `read in ${r.elapsedMs.toFixed(1)} ms, peak RSS +${(r.growthBytes / 2 ** 20).toFixed(1)} MiB`
