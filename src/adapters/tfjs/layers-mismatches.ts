import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { WeightMismatch } from './errors.js'
import { sameShape } from './model-weights.js'

/** How many mismatches an error message lists. */
export const MISMATCHES_SHOWN = 10

/**
 * Every way a tfjs weights manifest disagrees with the model's weights (its optimizer group left out): in model
 * order (missing, shape, dtype), then the unexpected names in manifest order. Empty when every weight matches. Pure.
 */
export const layersMismatches = (
  model: tfl.LayersModel,
  specs: ReadonlyArray<tf.io.WeightsManifestEntry>,
): ReadonlyArray<WeightMismatch> => {
  const modelSpecs = specs.filter((s) => s.group !== 'optimizer')
  const byName = new Map(modelSpecs.map((s) => [s.name, s]))
  const mismatches: WeightMismatch[] = []
  const known = new Set<string>()
  for (const v of model.weights) {
    known.add(v.originalName)
    const shape = v.shape as ReadonlyArray<number>
    const s = byName.get(v.originalName)
    if (s === undefined) mismatches.push({ _tag: 'Missing', name: v.originalName })
    else {
      if (!sameShape(s.shape, shape)) mismatches.push({ _tag: 'Shape', name: v.originalName, expected: shape, actual: s.shape })
      if (s.dtype !== v.dtype) mismatches.push({ _tag: 'Dtype', name: v.originalName, expected: v.dtype, actual: s.dtype })
    }
  }
  for (const s of modelSpecs) if (!known.has(s.name)) mismatches.push({ _tag: 'Unexpected', name: s.name })
  return mismatches
}

const describe = (m: WeightMismatch): string => {
  switch (m._tag) {
    case 'Missing':
      return `missing '${m.name}' (in the model, not in the file)`
    case 'Unexpected':
      return `unexpected '${m.name}' (in the file, not in the model)`
    case 'Shape':
      return `shape of '${m.name}': model [${m.expected.join(', ')}], file [${m.actual.join(', ')}]`
    case 'Dtype':
      return `dtype of '${m.name}': model ${m.expected}, file ${m.actual}`
  }
}

/** The error message for a list of mismatches: the count and the first {@link MISMATCHES_SHOWN}. */
export const mismatchMessage = (path: string, mismatches: ReadonlyArray<WeightMismatch>): string => {
  const shown = mismatches.slice(0, MISMATCHES_SHOWN).map((m) => `  - ${describe(m)}`)
  const more = mismatches.length > MISMATCHES_SHOWN ? [`  ... and ${mismatches.length - MISMATCHES_SHOWN} more`] : []
  return [
    `ckpt/tfjs: the weights in '${path}' do not match the model (${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'}); nothing was changed:`,
    ...shown,
    ...more,
  ].join('\n')
}
