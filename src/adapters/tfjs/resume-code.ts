/**
 * The restore side of ckpt/tfjs (reading a checkpoint back into a model, `fitResumable`), as one module that
 * resume.ts imports dynamically: a browser bundle fetches it as a chunk of its own, at the first restore only.
 */
export { restoreLatest, restoreBest, applyArtifacts } from './restore.js'
export { fitResumable } from './fit-resumable.js'
