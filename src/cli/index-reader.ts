import * as E from '#fp-ts/Either.js'
import { kerasModelSerializer, kerasWeightsSerializer } from '../adapters/tfjs/keras/serializers.js'
import { layersScanner } from '../adapters/tfjs/layers-scan.js'
import { INDEX_KEY, type IndexDoc } from '../checkpointer/index.js'
import { readIndexOrScan, type Scanner } from '../checkpointer/index-store.js'
import { safetensorsSerializer } from '../checkpointer/safetensors-serializer.js'
import { inputError, messageOf, type CliError } from './errors.js'
import type { Location } from './location.js'

/** Reading the index failed: there is none (and no checkpoint to rebuild it from), it is corrupt, or the storage failed. */
export type IndexProblem =
  | { readonly _tag: 'NoIndex'; readonly message: string }
  | { readonly _tag: 'IndexCorrupt'; readonly message: string }
  | { readonly _tag: 'IndexUnreadable'; readonly message: string }

/** The index as read, or rebuilt in memory by a scan when it is lost (`rebuilt`, with the note to print). */
export interface ReadIndex {
  readonly doc: IndexDoc
  readonly rebuilt: string | null
}

/** Every format's scan: each reads only the entry data its files carry, with no framework (h5wasm loads on demand). */
const scanners = (): ReadonlyArray<Scanner> => [safetensorsSerializer(), layersScanner, kerasModelSerializer, kerasWeightsSerializer]

/**
 * Reads and validates the index of a checkpoint folder (`ckpt-index.json`). When there is none, rebuilds it in
 * memory from the checkpoints a scan finds, without writing anything, and says so in `rebuilt`.
 */
export const readIndex = async (location: Location): Promise<E.Either<IndexProblem, ReadIndex>> => {
  try {
    let note: string | null = null
    const read = await readIndexOrScan(location.storage, scanners(), (line) => (note = line), location.display)
    if (read === null)
      return E.left({
        _tag: 'NoIndex',
        message: `${location.display} has no checkpoint index (${INDEX_KEY}) and no checkpoint that carries ckpt's entry data; is it a folder written by ckpt?`,
      })
    return E.right({ doc: read.doc, rebuilt: read.rebuilt ? note : null })
  } catch (e) {
    const tag = (e as { _tag?: string })._tag
    return E.left({ _tag: tag === 'CorruptIndex' ? 'IndexCorrupt' : 'IndexUnreadable', message: `${location.display}: ${messageOf(e)}` })
  }
}

export const asCliError = (p: IndexProblem): CliError => inputError(p.message)
