import { createCheckpointer } from 'ckpt'
import { fsStorage } from 'ckpt/storage/fs'

// A model with no framework: one weight vector, trained by gradient descent on y = 3x.
export async function train(dir: string, epochs: number): Promise<Float32Array> {
  const ckpt = await createCheckpointer({
    storage: fsStorage(dir),
    filepath: 'checkpoints/epoch_{epoch:02d}-loss_{loss:.4f}.safetensors',
    monitor: 'loss',
    maxToKeep: 3,
  })
  // Resume from the newest checkpoint that verifies (restore passes over corrupt ones), or start afresh.
  const resumed = (await ckpt.latest()) ? await ckpt.restore('latest') : null
  const w = resumed ? (resumed.value.w!.data as Float32Array) : new Float32Array([0])
  for (let epoch = resumed ? resumed.entry.epoch + 1 : 0; epoch < epochs; epoch++) {
    const grad = 2 * (w[0]! - 3)
    w[0] = w[0]! - 0.1 * grad
    const loss = (w[0] - 3) ** 2
    await ckpt.onEpochEnd({ epoch, logs: { loss } }, { w: { dtype: 'F32', shape: [1], data: w } })
  }
  await ckpt.close()
  return w
}
