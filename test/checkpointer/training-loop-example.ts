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
  // Resume where the last run stopped, or start afresh.
  const last = await ckpt.latest()
  const w = last ? ((await ckpt.restore('latest')).value.w!.data as Float32Array) : new Float32Array([0])
  for (let epoch = last ? last.epoch + 1 : 0; epoch < epochs; epoch++) {
    const grad = 2 * (w[0]! - 3)
    w[0] = w[0]! - 0.1 * grad
    const loss = (w[0]! - 3) ** 2
    await ckpt.onEpochEnd({ epoch, logs: { loss } }, { w: { dtype: 'F32', shape: [1], data: w } })
  }
  await ckpt.close()
  return w
}
