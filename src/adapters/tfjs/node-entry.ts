/**
 * `ckpt/tfjs` in Node (package.json's `node` condition; browsers and bundlers take `index.ts`). Node resolves every
 * static import before any code runs, so without tfjs the adapter would fail as `ERR_MODULE_NOT_FOUND`, naming a
 * package and not what to install. This module imports the adapter dynamically and says what to install instead.
 * It exports the same names, with the same values (`test/tfjs/node-entry.test.ts`); the types are `index.ts`'s.
 */
import { CkptTfjsError } from './errors.js'
import { installHint, notInstalled } from './peers.js'

const load = async (): Promise<typeof import('./index.js')> => {
  try {
    return await import('./index.js')
  } catch (e) {
    const missing = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'].find((name) => notInstalled(e, name))
    if (missing === undefined) throw e
    throw new CkptTfjsError({
      _tag: 'MissingPackage',
      package: missing,
      message: `ckpt/tfjs ${installHint(missing, '@tensorflow/tfjs-core @tensorflow/tfjs-layers')}`,
    })
  }
}

// The error class loads without tfjs: the same class index.ts exports.
export { CkptTfjsError }

export const {
  CKPT_METADATA_KEY,
  CkptKerasError,
  ModelCheckpoint,
  SAFETENSORS_FORMAT,
  TFJS_LAYERS_FORMAT,
  applyArtifacts,
  assertCheckpointableOptimizer,
  checkpointFormat,
  checkpointableOptimizer,
  checkpointableOptimizers,
  disposeSnapshot,
  encodeKerasModel,
  fitResumable,
  kerasModelSerializer,
  kerasWeightsFile,
  kerasWeightsSerializer,
  loadKerasModel,
  loadKerasWeights,
  loadModel,
  loadWeights,
  modelCheckpoint,
  modelWeights,
  readSnapshot,
  restoreBest,
  restoreLatest,
  saveKerasModel,
  saveKerasWeights,
  saveModel,
  saveWeights,
  storageIOHandler,
  supportedBackends,
  supportedEndings,
  takeSnapshot,
  tfjsLayersSerializer,
  tfjsWeightsSerializer,
  useBackend,
  weightMismatches,
} = await load()
