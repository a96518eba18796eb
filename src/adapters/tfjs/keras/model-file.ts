import * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import { kerasCompileConfig, tfjsOptimizerSpec } from '../../../keras/compile-config.js'
import { tfjsLoss } from '../../../keras/config.js'
import { KERAS_OPTIMIZERS, LOSSES } from '../../../keras/supported.js'
import { jsonText, unsupportedOptimizer, type KerasFormatError } from '../../../keras/errors.js'
import { kerasCall, orThrow, storageStep } from '../../../keras/failures.js'
import { checkKerasPath, decodeKerasArchive, invalidArchive, kerasArchiveChunks, kerasModelConfig } from '../../../keras/keras-file.js'
import type { ZipChunks } from '../../../keras/zip.js'
import { concatChunks } from '../../../storage/data.js'
import { isObj, unsupportedField, type Obj } from '../../../keras/layer-config.js'
import { toModelOrder } from '../../../keras/layer-order.js'
import { messageOf } from '../../../errors/ckpt-error.js'
import type { Storage } from '../../../storage/storage.js'
import { lazyOf } from '../../../keras/weights-file.js'
import { tensorSpecsOf, topologyOf } from './model-layers.js'
import { optimizerOf } from './model-structure.js'
import { kerasLayerInfos, leafLayers } from './nested-layers.js'
import { kerasRefusal, optimizerSettings, tfjsOptimizer } from './optimizer.js'
import { applyKerasWeightsFile, weightsFileOf, type OptimizerOutcome } from './weights.js'
// tfjs builds the models of .keras files with ckpt's classes for what it lacks: registered here, at load.
import './custom/register.js'

/** A tfjs model to and from a `.keras` archive: its topology, compile settings and weights. */

/**
 * A BatchNormalization on another axis than the last, which tfjs 4.22 computes wrongly (it broadcasts gamma, beta and
 * the moving statistics along the wrong dimension): in a `.keras` it would compute other numbers in tfjs than in
 * Keras 3, so it is refused by field, both ways (test/keras/batchnorm-axis-interop.test.ts).
 */
const batchNormAxes = (model: tfl.LayersModel): E.Either<KerasFormatError, void> => {
  for (const { layer } of leafLayers(model)) {
    if (layer.getClassName() !== 'BatchNormalization') continue
    const axis = (layer.getConfig() as { axis?: unknown }).axis
    const rank = layer.inboundNodes[0]?.inputTensors[0]?.shape.length
    if (typeof axis === 'number' && rank !== undefined && axis !== -1 && axis !== rank - 1)
      return E.left(
        unsupportedField(
          layer.name,
          'axis',
          axis,
          `-1 or ${rank - 1}, the last axis (tfjs 4.22's BatchNormalization computes others wrongly)`,
        ),
      )
  }
  return E.right(undefined)
}

/** `encodeKerasModel` of ckpt/tfjs (documented in ../keras.ts, which loads this module lazily). */
export const encodeKerasModel = async (model: tfl.LayersModel, date: Date = new Date()): Promise<E.Either<KerasFormatError, Uint8Array>> =>
  E.map((zip: ZipChunks) => concatChunks(zip.chunks, zip.size))(await archiveOf(model, date, true))

/** The archive's chunks; with `copy` false the weights' chunks are the arrays tfjs gives (see `weightsFileOf`). */
const archiveOf = (model: tfl.LayersModel, date: Date, copy: boolean): Promise<E.Either<KerasFormatError, ZipChunks>> =>
  kerasCall('(new archive)', async () => {
    const config = kerasModelConfig(topologyOf(model), tensorSpecsOf(model))
    if (E.isLeft(config)) return config
    const axes = batchNormAxes(model)
    if (E.isLeft(axes)) return axes
    const optimizer = optimizerOf(model)
    // An optimizer Keras cannot continue is refused, rather than written as a model Keras would load without it.
    const refused = optimizer === null ? null : kerasRefusal(optimizer)
    if (optimizer !== null && refused !== null) {
      const name = optimizer.getClassName()
      const message = `ckpt/keras: the optimizer ${name} cannot be written for Keras 3 to resume: ${refused.reason}`
      return E.left(unsupportedOptimizer(name, Object.keys(KERAS_OPTIMIZERS), message, refused.setting))
    }
    const compile = kerasCompileConfig(
      optimizer === null ? null : optimizerSettings(optimizer),
      (model as unknown as { loss?: unknown }).loss,
    )
    const weights = await weightsFileOf(model, { includeOptimizer: compile !== null }, copy)
    if (E.isLeft(weights)) return weights
    return kerasArchiveChunks({ ...config.right, compile, layers: kerasLayerInfos(model), weights: weights.right, date })
  })

/** `saveKerasModel` of ckpt/tfjs (documented in ../keras.ts, which loads this module lazily). */
export const saveKerasModel = (model: tfl.LayersModel, storage: Storage, path: string): Promise<void> =>
  kerasCall(path, async () => {
    checkKerasPath(path)
    const zip = orThrow(await archiveOf(model, new Date(), false))
    await storageStep(path, 'writing', () => storage.write(path, zip.chunks))
  })

export interface LoadedKerasModel {
  readonly model: tfl.LayersModel
  /** What happened to the optimizer: loaded with its state, skipped (and why), or none in the file. */
  readonly optimizer: OptimizerOutcome
}

/** The tfjs model a topology describes; a topology tfjs cannot build is an `InvalidKerasArchive`. */
const buildModel = async (topology: Obj, label: string): Promise<E.Either<KerasFormatError, tfl.LayersModel>> => {
  // tfjs's Orthogonal initializer needs chained ops that tfjs-core does not register in Node; every weight is
  // overwritten from the file, so the model is built with Zeros in its place.
  const built = JSON.parse(JSON.stringify(topology).replaceAll('"class_name":"Orthogonal"', '"class_name":"Zeros"')) as object
  try {
    return E.right(await tfl.models.modelFromJSON({ modelTopology: built } as unknown as Parameters<typeof tfl.models.modelFromJSON>[0]))
  } catch (e) {
    return E.left(invalidArchive(label, `tfjs cannot build its model: ${messageOf(e)}`))
  }
}

/** A tfjs model from `.keras` bytes; see {@link loadKerasModel}. */
export const decodeKerasModel = (bytes: Uint8Array, label: string): Promise<E.Either<KerasFormatError, LoadedKerasModel>> =>
  kerasCall(label, async () => {
    const archive = await decodeKerasArchive(bytes, label)
    if (E.isLeft(archive)) return archive
    const { topology, order, weights, compile } = archive.right
    const built = await buildModel(topology, label)
    if (E.isLeft(built)) return built
    const model = built.right
    const axes = batchNormAxes(model)
    if (E.isLeft(axes)) {
      model.dispose()
      return axes
    }
    let skipped: string | null = null
    try {
      if (compile !== null) {
        const optimizer = tfjsOptimizerSpec(compile['optimizer'])
        const loss = tfjsLoss(compile['loss'])
        if (E.isLeft(optimizer)) skipped = optimizer.left
        else if (loss === null)
          skipped = `the loss ${JSON.stringify(compile['loss'])} has no tfjs equivalent in ckpt (${Object.keys(LOSSES).join(', ')})`
        else model.compile({ optimizer: tfjsOptimizer(optimizer.right), loss })
      }
      const ordered = toModelOrder(weights, kerasLayerInfos(model), order, label)
      if (E.isLeft(ordered)) {
        model.dispose()
        return ordered
      }
      const outcome = await applyKerasWeightsFile(model, lazyOf(ordered.right), label)
      if (skipped !== null) {
        const name = isObj(compile?.['optimizer']) ? jsonText(compile['optimizer']['class_name']) : '(none)'
        return E.right({
          model,
          optimizer: { _tag: 'OptimizerSkipped', optimizer: name, reason: `the model was loaded uncompiled: ${skipped}` },
        })
      }
      return E.right({
        model,
        optimizer: compile === null ? { _tag: 'NoOptimizerState', reason: `'${label}' has no compile config` } : outcome,
      })
    } catch (e) {
      model.dispose()
      throw e
    }
  })

/** `loadKerasModel` of ckpt/tfjs (documented in ../keras.ts, which loads this module lazily). */
export const loadKerasModel = (storage: Storage, path: string): Promise<LoadedKerasModel> =>
  kerasCall(path, async () => {
    checkKerasPath(path)
    const bytes = await storageStep(path, 'reading', () => storage.read(path))
    return orThrow(await decodeKerasModel(bytes, path))
  })

/**
 * The archive's `model.weights.h5` into `model` (with the optimizer state, as `loadKerasWeights` restores it), as
 * Keras's `model.load_weights('….keras')` does: `loadWeights` of ckpt/tfjs. Every layer weight is checked first.
 */
export const loadKerasArchiveWeights = (model: tfl.LayersModel, storage: Storage, path: string): Promise<OptimizerOutcome> =>
  kerasCall(path, async () => {
    checkKerasPath(path)
    const bytes = await storageStep(path, 'reading', () => storage.read(path))
    const { weights } = orThrow(await decodeKerasArchive(bytes, path))
    return applyKerasWeightsFile(model, lazyOf(weights), path)
  })
