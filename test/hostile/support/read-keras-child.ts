import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { decodeKerasArchive } from '../../../src/keras/keras-file.js'
import { measure } from './peak.js'

/**
 * Child process: reads the `.keras` at argv[2] with `decodeKerasArchive` and prints one JSON line: the
 * outcome (the error's tag and message, or whether the result equals that of the plain archive at argv[3]),
 * the time and the peak RSS growth of the read. The plain archive is read first, so that h5wasm is loaded
 * and warm before the measured read.
 */
const [file, plainFile] = process.argv.slice(2) as [string, string]
const plain = await decodeKerasArchive(readFileSync(plainFile), 'plain.keras')
if (plain._tag === 'Left') throw new Error(plain.left.message)
const bytes = readFileSync(file)
const m = await measure(() => decodeKerasArchive(bytes, 'hostile.keras'))
const outcome =
  m.value._tag === 'Left'
    ? { _tag: 'Left', error: m.value.left }
    : { _tag: 'Right', equalsPlain: isDeepStrictEqual({ ...m.value.right }, { ...plain.right }) }
process.stdout.write(`${JSON.stringify({ outcome, elapsedMs: m.elapsedMs, growthBytes: m.growthBytes, peakBytes: m.peakBytes })}\n`)
