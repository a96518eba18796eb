/**
 * The tools of ckpt/tfjs that a save by `modelCheckpoint` does not run: `saveModel`, `loadModel`, `saveWeights` and
 * `loadWeights`, as one module that their public functions import dynamically: a browser bundle fetches it as a
 * chunk of its own, at the first such call only. (Reading a tfjs layers model, layers-read.ts, is imported the same
 * way by the IOHandler's load and the serializer's read.)
 */
export { saveModel, loadModel } from './model-io.js'
export { saveWeights, loadWeights } from './weights-io.js'
