import type { Template } from '../format/index.js'
import { Bool, NonEmptyString } from './codecs.js'
import { configIssue, type ConfigIssue } from './errors.js'

/** The `last` checkpoint (Lightning's `save_last`, Keras's BackupAndRestore): rewritten at every save opportunity. */
export interface SaveLastOptions {
  /** Write a `last` checkpoint at every save opportunity, also when `saveBestOnly` skips the regular save. Default false. */
  readonly saveLast?: boolean
  /** Where `last` goes: a path, or a template with the fields `filepath` may use. Default: derived from `filepath`. */
  readonly lastFilepath?: string
}

/** The checks of the two options, by name (only `is` and `name` are used). */
export const saveLastCodecs = { saveLast: Bool, lastFilepath: NonEmptyString } as const

export const saveLastKeys = Object.keys(saveLastCodecs) as ReadonlyArray<keyof SaveLastOptions>

/** A segment holds a replacement field when a `{` is left once the escaped braces (`{{`, `}}`) are taken out. */
const hasField = (segment: string): boolean => segment.replace(/\{\{|\}\}/g, '').includes('{')

/** The ending that picks the format: `/model.json` (a folder per checkpoint), `.weights.h5`, else the extension. */
const endingOf = (name: string): string => {
  if (name.endsWith('model.json')) return '/model.json'
  if (name.endsWith('.weights.h5')) return '.weights.h5'
  const tail = name.slice(name.lastIndexOf('}') + 1)
  const dot = tail.lastIndexOf('.')
  return dot === -1 ? '' : tail.slice(dot)
}

/**
 * The default `lastFilepath`: the folders of `filepath` before its first replacement field, then `last` and the
 * ending of `filepath`, so that the format the ending picks is the same.
 *
 * @example
 * defaultLastFilepath('checkpoints/epoch_{epoch:02d}-val_loss_{val_loss:.4f}.safetensors') // 'checkpoints/last.safetensors'
 * defaultLastFilepath('epoch_{epoch:02d}/model.json') // 'last/model.json'
 * defaultLastFilepath('ckpt/e{epoch}.weights.h5') // 'ckpt/last.weights.h5'
 */
export const defaultLastFilepath = (filepath: string): string => {
  const segments = filepath.split('/')
  const ending = endingOf(segments[segments.length - 1]!)
  const first = segments.findIndex(hasField)
  // Without a field, the folders of the file (of its folder, for model.json).
  const folders = first !== -1 ? segments.slice(0, first) : segments.slice(0, ending === '/model.json' ? -2 : -1)
  return [...folders, `last${ending}`].join('/')
}

export interface SaveLastConfig {
  readonly saveLast: boolean
  /** The resolved template of `last` (given or derived); null without `saveLast`. */
  readonly lastFilepath: string | null
  readonly lastTemplate: Template | null
}

/**
 * Decodes `saveLast` and `lastFilepath` from `input`: problems go into `issues` (for the combined decoder). A given
 * `lastFilepath` is compiled by `compile`, with the rules of `filepath`; it must differ from `filepath`.
 */
export const collectSaveLast = (
  input: Record<string, unknown>,
  issues: ConfigIssue[],
  filepath: string | undefined,
  compile: (option: string, path: string) => Template | null,
): { readonly config: SaveLastConfig; readonly warnings: ReadonlyArray<string> } => {
  const off = { saveLast: false, lastFilepath: null, lastTemplate: null } as const
  const none = { config: off, warnings: [] }
  const { saveLast, lastFilepath } = input
  if (saveLast !== undefined && !saveLastCodecs.saveLast.is(saveLast))
    issues.push(configIssue('saveLast', saveLast, saveLastCodecs.saveLast.name))
  if (lastFilepath !== undefined && !saveLastCodecs.lastFilepath.is(lastFilepath)) {
    issues.push(configIssue('lastFilepath', lastFilepath, saveLastCodecs.lastFilepath.name))
    return none
  }
  if (saveLast !== true)
    return lastFilepath !== undefined ? { config: off, warnings: ['lastFilepath has no effect without saveLast'] } : none
  if (filepath === undefined) return none
  // The default (literal folders, `last`, an ending) has no field: only a given path needs compiling.
  const path = lastFilepath ?? defaultLastFilepath(filepath)
  if (path === filepath) {
    issues.push(
      configIssue(
        'lastFilepath',
        lastFilepath,
        'a path other than filepath',
        lastFilepath === undefined ? `the default, ${JSON.stringify(path)}, is filepath` : 'it is filepath',
      ),
    )
    return none
  }
  const template = compile('lastFilepath', path)
  return template === null ? none : { config: { saveLast: true, lastFilepath: path, lastTemplate: template }, warnings: [] }
}
