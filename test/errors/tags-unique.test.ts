import { describe, expect, it } from 'vitest'
import type { TfjsAdapterError } from '../../src/adapters/tfjs/errors.js'
import type { CheckpointError } from '../../src/checkpointer/errors.js'
import type { CliError } from '../../src/cli/errors.js'
import type { IndexProblem } from '../../src/cli/index-reader.js'
import type { TemplateError } from '../../src/format/types.js'
import type { KerasFormatError } from '../../src/keras/errors.js'
import type { WeightMismatch } from '../../src/keras/weight-mismatch.js'
import type { ConfigError, PolicyError } from '../../src/policy/errors.js'
import type { StorageError, StorageFailed } from '../../src/storage/errors.js'
import type { SafetensorsError } from '../../src/tensors/errors.js'

/** Every typed error value of the library (and the tagged values they carry). */
type Tagged =
  | StorageError
  | StorageFailed
  | CheckpointError
  | TfjsAdapterError
  | KerasFormatError
  | SafetensorsError
  | PolicyError
  | ConfigError
  | TemplateError
  | CliError
  | IndexProblem
  | WeightMismatch

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never
/** The tags declared with more than one payload shape. */
type Clashing = { [K in Tagged['_tag']]: IsUnion<Extract<Tagged, { readonly _tag: K }>> extends false ? never : K }[Tagged['_tag']]

// Fails to type-check (and so `npm test`) when a tag has two shapes, naming it in the error.
const clashing: [Clashing] extends [never] ? 'none' : Clashing = 'none'

describe('error tags', () => {
  it('are unique across the library, each with one payload shape (checked by the type checker)', () => {
    expect(clashing).toBe('none')
  })
})
