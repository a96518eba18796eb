import * as E from '#fp-ts/Either.js'
import { INDEX_KEY, loadIndex, type IndexDoc } from '../checkpointer/index.js'
import { inputError, messageOf, type CliError } from './errors.js'
import type { Location } from './location.js'

/** Reading the index failed: there is none, it is corrupt, or the storage failed. */
export type IndexProblem =
  | { readonly _tag: 'NoIndex'; readonly message: string }
  | { readonly _tag: 'CorruptIndex'; readonly message: string }
  | { readonly _tag: 'StorageFailed'; readonly message: string }

/** Reads and validates the index of a checkpoint folder (`ckpt-index.json`) through `loadIndex`. */
export const readIndex = async (location: Location): Promise<E.Either<IndexProblem, IndexDoc>> => {
  try {
    const loaded = await loadIndex(location.storage)
    if (loaded === null)
      return E.left({
        _tag: 'NoIndex',
        message: `${location.display} has no checkpoint index (${INDEX_KEY}); is it a folder written by ckpt?`,
      })
    return E.right(loaded.doc)
  } catch (e) {
    const tag = (e as { _tag?: string })._tag
    return E.left({ _tag: tag === 'CorruptIndex' ? 'CorruptIndex' : 'StorageFailed', message: `${location.display}: ${messageOf(e)}` })
  }
}

export const asCliError = (p: IndexProblem): CliError => inputError(p.message)
