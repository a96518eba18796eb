/**
 * The archive code (the tar codec, the manifest, export and import), as one module that index.ts imports
 * dynamically: a browser bundle fetches it as a chunk of its own, at the first export or import only.
 */
export { exportCheckpoint, exportRun } from './export.js'
export { importCheckpoints } from './import.js'
