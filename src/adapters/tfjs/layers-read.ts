import * as tf from '@tensorflow/tfjs-core'
import { fail, orThrow } from './errors.js'
import { checkModelJsonPath, entryBytes, parseModelJson, weightKeysOf } from './layout.js'

/** The exact ArrayBuffer of `bytes`, without a copy when the view covers its whole buffer. */
const exactBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : bytes.slice().buffer

/**
 * Reads a tfjs layers model's artifacts at `path` through `read` (for example a checksum-verifying reader), and its
 * weight files through `readWeights`: each as one buffer, or as several (tfjs takes `weightData` as a list of
 * buffers, and slices each weight out of them), so that weights larger than one buffer can be read.
 */
export const readLayersModel = async (
  path: string,
  read: (key: string) => Promise<Uint8Array>,
  readWeights: (key: string) => Promise<ReadonlyArray<ArrayBuffer>> = async (key) => [exactBuffer(await read(key))],
): Promise<tf.io.ModelArtifacts> => {
  const key = orThrow(checkModelJsonPath(path))
  const json = orThrow(parseModelJson(key, new TextDecoder().decode(await read(key))))
  const keys = orThrow(weightKeysOf(key, json))
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((g) => g.weights)
    const buffers: ArrayBuffer[] = []
    for (const k of keys) buffers.push(...(await readWeights(k)))
    // tfjs would build tensors from too few bytes and throw an untyped assertion; too many would be ignored.
    const sizes = specs.map(entryBytes)
    const expected = sizes.every((n) => n !== null) ? sizes.reduce<number>((a, b) => a + (b ?? 0), 0) : null
    const got = buffers.reduce((n, b) => n + b.byteLength, 0)
    if (expected !== null && got !== expected)
      fail({
        _tag: 'InvalidWeightsFile',
        path: key,
        message: `ckpt/tfjs: the weight files of ${key} hold ${got} bytes, but its weightsManifest needs ${expected}`,
      })
    return [specs, buffers.length === 1 ? (buffers[0] as ArrayBuffer) : buffers]
  })
}
