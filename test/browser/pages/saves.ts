/** The page of test/browser/browser-blocks.test.ts: one save in the browser build, and every object it stored. */
import { createCheckpointer, type Tensors } from 'ckpt'
import { memoryStorage } from 'ckpt/storage/memory'

/** A float32 tensor of `n` values, the same on both sides. */
export const tensorOf = (n: number): Tensors[string] => ({
  dtype: 'F32',
  shape: [n],
  data: Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.01))),
})

const base64 = (bytes: Uint8Array): string => {
  let s = ''
  for (let at = 0; at < bytes.byteLength; at += 0x8000) s += String.fromCharCode(...bytes.subarray(at, at + 0x8000))
  return btoa(s)
}

/** Saves a checkpoint of one tensor of `n` float32 values; resolves to its index entry's files and every stored object (base64). */
const saveOne = async (n: number) => {
  const storage = memoryStorage()
  const c = await createCheckpointer<Tensors, Tensors>({ storage, filepath: 'm.safetensors', monitor: 'loss', log: () => {} })
  await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, { w: tensorOf(n) })
  const files = (await c.latest())!.files
  await c.close()
  const objects: Record<string, string> = {}
  for (const key of await storage.list()) objects[key] = base64(await storage.read(key))
  return { files, objects }
}

export type SavesPage = { readonly saveOne: typeof saveOne }
;(globalThis as { saves?: SavesPage }).saves = { saveOne }
