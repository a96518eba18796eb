/** What the hostile corpus is made of: inputs generated on demand, and what each reader must do with them. */

/** The kinds of input, each read by its own set of readers (see readers.ts). */
export type Kind = 'safetensors' | 'folder' | 'keras' | 'weights-h5' | 'model-json' | 'csv-log' | 'jsonl-log' | 'template' | 'key'

/**
 * What a reader must do with a case:
 * - `error`: refuse with a typed error (a `_tag`, or a CLI exit code 1 or 2 with a message);
 * - a RegExp: succeed, with a result summary matching it (a valid but extreme input, read correctly).
 */
export type Expected = 'error' | RegExp

export interface HostileCase {
  readonly name: string
  readonly kind: Kind
  /** The expectation for every reader of the kind, unless `readers` says otherwise for one. */
  readonly expect: Expected
  readonly readers?: Readonly<Record<string, Expected>>
  /**
   * Writes the input into the empty folder `dir` and returns the file or folder readers take (for `template`
   * and `key` cases a JSON file holding the input). Made once; every reader of the kind reads it in turn.
   */
  readonly make: (dir: string) => Promise<string> | string
  /** A budget above the default, for a valid input that is large on purpose, and why it needs it. */
  readonly budget?: { readonly ms?: number; readonly bytes?: number; readonly why: string }
  /** Why the case cannot run on this machine (a missing tool), or null. */
  readonly skip?: () => string | null
}

/** Every reader of each kind. The `tfjs …` readers run in a child that loads TensorFlow.js; the others in one that does not. */
export const readersOf: Readonly<Record<Kind, ReadonlyArray<string>>> = {
  safetensors: ['decodeSafetensors', 'ckpt inspect'],
  // The one reader that may write (a chief Checkpointer rebuilds a lost index) runs last: all read the same input.
  folder: ['ckpt ls', 'ckpt verify', 'tfjs restoreLatest', 'createCheckpointer restore'],
  keras: ['decodeKerasArchive', 'ckpt inspect', 'tfjs loadKerasModel'],
  'weights-h5': ['decodeWeightsH5', 'ckpt inspect'],
  'model-json': ['ckpt inspect', 'tfjs loadModel'],
  'csv-log': ['ckpt simulate'],
  'jsonl-log': ['ckpt simulate'],
  template: ['formatTemplate', 'ckpt format'],
  key: ['fsStorage write', 'memoryStorage write'],
}

/** The result a reader reports from the child process. */
export interface Outcome {
  /** `ok` with a summary, `typed` with the error's tag, `untyped` for anything else thrown, `cli` with the exit code. */
  readonly result: 'ok' | 'typed' | 'untyped' | 'cli'
  readonly summary: string
  readonly tag?: string
  readonly code?: number
  readonly message: string
  readonly ms: number
  /** Peak resident memory of the child above its resident memory just before the reader ran, in bytes. */
  readonly growth: number
}
