/**
 * The read side of the Checkpointer (the verifying reader, ranged reads, the verified restore, safetensors reads), as
 * one module that read-load.ts imports dynamically: a browser bundle fetches it as a chunk of its own, at the first
 * restore, retention removal or recovery only (a save writes, and reads nothing back), or to say what a resume
 * resumes from (verbose).
 */
export { matchesRecord, verifyEntry, verifyingReader } from './artifact-reader.js'
export { restoreFrom, rewoundState } from './restore.js'
export { resumedMessage } from './resumed-message.js'
export { readSafetensors } from './safetensors-read.js'
