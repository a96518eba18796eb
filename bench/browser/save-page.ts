/** The browser side of bench/browser-saves.ts: the save loop on the browser's Map store, IndexedDB or OPFS. */
import { memoryStorage } from 'ckpt/storage/memory'
import { indexedDbStorage } from 'ckpt/storage/indexeddb'
import { opfsStorage } from 'ckpt/storage/opfs'
import type { Storage } from 'ckpt/storage'
import { modelTensors, saver } from '../save-loop.js'

export type PageStorage = 'memory' | 'indexeddb' | 'opfs'

let made = 0
const storageOf = (kind: PageStorage): Storage =>
  kind === 'memory' ? memoryStorage() : kind === 'indexeddb' ? indexedDbStorage(`bench-${++made}`) : opfsStorage(`bench-${++made}`)

let current: Awaited<ReturnType<typeof saver>> | null = null
const page = {
  /** Starts a save loop of a `bytes` model on a fresh store of `kind` (closing the previous loop). */
  open: async (kind: PageStorage, bytes: number): Promise<void> => {
    await current?.close()
    current = await saver(storageOf(kind), modelTensors(bytes))
  },
  save: (): Promise<number> => current!.save(),
}
export type SavePage = typeof page
;(globalThis as { ckptBench?: SavePage }).ckptBench = page
