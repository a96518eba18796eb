import { createCheckpointer } from '../../src/checkpointer/checkpointer.js'
import type { Storage } from '../../src/storage/storage.js'
import type { Tensors } from '../../src/tensors/index.js'

export const quiet = { log: () => {} }

/** Deterministic tensors for `epoch`, of `n` float32 weights (n over 262,144 makes a file of more than one 1 MiB block). */
export const weightsAt = (epoch: number, n = 64): Tensors => ({
  'dense/kernel': { dtype: 'F32', shape: [n], data: Float32Array.from({ length: n }, (_, i) => Math.sin(epoch * 1000 + i)) },
  'dense/bias': { dtype: 'F32', shape: [4], data: Float32Array.of(epoch, -epoch, 0.5, 1e-7) },
  step: { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(epoch)) },
})

/** The loss at `epoch` of the runs here: falling, with a bump at epoch 3, so that "best" and "latest" differ. */
export const lossAt = (epoch: number): number => (epoch === 3 ? 0.05 : 1 / (epoch + 1))

/** Saves `epochs` epochs through a Checkpointer on `storage`, with `options` (retention…); resolves once closed. */
export const trainRun = async (storage: Storage, epochs: number, options: Record<string, unknown> = {}, n = 64): Promise<void> => {
  const ckpt = await createCheckpointer({ storage, filepath: 'ckpt/e{epoch:03d}.safetensors', monitor: 'loss', ...quiet, ...options })
  for (let epoch = 0; epoch < epochs; epoch++)
    await ckpt.onEpochEnd({ epoch, logs: { loss: lossAt(epoch) }, time: 1_700_000_000_000 + epoch * 1000 }, weightsAt(epoch, n))
  await ckpt.close()
}

/** Byte arrays joined. */
export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** All the chunks of an archive, joined. */
export const bytesOf = async (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> => {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return concat(...parts)
}
