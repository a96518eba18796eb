// The browser demo's page (served by `npm run demo:browser`, examples/browser-demo.ts): trains a small model on the
// wasm backend with a Keras-style ModelCheckpoint into IndexedDB, draws the loss and each save, skip and retention
// deletion, lists the kept checkpoints from the index in IndexedDB, and after a reload resumes from the latest one.
import * as tfl from '@tensorflow/tfjs-layers'
import { modelCheckpoint, restoreLatest, useBackend, type ModelCheckpoint } from 'ckpt/tfjs'
import { indexedDbStorage } from 'ckpt/storage/indexeddb'
import { loadIndex, type Entry } from '../../src/checkpointer/index.js'
import { demoCheckpoint } from '../demo-checkpoint.js'
import { seededMlp, syntheticRegression } from '../synthetic.js'
import { drawChart, type Point } from './chart.js'

const EPOCHS = 40
const BATCH_SIZE = 32
const STORE = 'ckpt-browser-demo'
const HISTORY_KEY = `${STORE}:history`

const $ = (id: string): HTMLElement => document.getElementById(id)!
const log = (line: string) => ($('log').textContent = `${line}\n${$('log').textContent ?? ''}`)
const status = (text: string, epoch?: number) => {
  $('status').textContent = text
  if (epoch !== undefined) $('status').dataset['epoch'] = String(epoch)
}

const storage = indexedDbStorage(STORE)
/** Set to stop training at the end of the epoch under way; `training` settles when it has stopped. */
let stopping = false
let training: Promise<void> = Promise.resolve()

/** The chart's points and reloads, kept in localStorage so that a reload redraws the run so far. */
interface History {
  points: Point[]
  /** The epochs (0-based) training resumed at after a reload. */
  resumedAt: number[]
}
const loadHistory = (): History => JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '{"points":[],"resumedAt":[]}') as History
const saveHistory = (h: History) => localStorage.setItem(HISTORY_KEY, JSON.stringify(h))

/** The kept checkpoints, as the index in IndexedDB has them (not the callback's memory). */
const keptFromIndexedDb = async (): Promise<ReadonlyArray<Entry>> => (await loadIndex(storage))?.doc.checkpoints ?? []

const showKept = async (): Promise<void> => {
  const rows = (await keptFromIndexedDb()).map((e) => {
    const size = e.files.reduce((n, f) => n + f.size, 0)
    return `<tr><td>${e.path}</td><td>${e.epoch + 1}</td><td>${(e.metrics['val_loss'] ?? NaN).toFixed(4)}</td><td>${(size / 1024).toFixed(1)} KB</td></tr>`
  })
  $('kept').innerHTML = rows.join('')
}

/**
 * The point of a checkpoint's own epoch, from its index entry: for a reload between the checkpoint's commit and the
 * page storing that epoch's point. Retention deleted then what the chart saved before and the index no longer has.
 */
const pointOf = (entry: Entry, history: History, kept: ReadonlyArray<Entry>): Point => {
  const now = new Set(kept.map((e) => e.path))
  const marked = new Set(history.points.flatMap((p) => p.deleted.map((d) => d.path)))
  const deleted = history.points.flatMap((p) =>
    p.saved === null || now.has(p.saved) || marked.has(p.saved) ? [] : [{ path: p.saved, epoch: p.epoch }],
  )
  return { epoch: entry.epoch, loss: entry.metrics['loss'] ?? NaN, valLoss: entry.metrics['val_loss'] ?? NaN, saved: entry.path, deleted }
}

/** The same data on every load; the noise makes val_loss level off, so that later epochs are skipped. */
const dataset = () => syntheticRegression(2048, 16, 0.6)

const freshModel = (features: number): tfl.LayersModel => seededMlp(features, [32], 0.003)

/** After modelCheckpoint's own epoch end: what it decided (save or skip), and what retention deleted. */
const recorder = (checkpoint: ModelCheckpoint, history: History, kept: Set<string>, model: tfl.LayersModel) =>
  new tfl.CustomCallback({
    onBatchEnd: (batch: number, logs?: Record<string, number>) => {
      const epoch = history.points.length
      status(`Training: epoch ${epoch + 1}/${EPOCHS}, batch ${batch + 1}, loss ${(logs?.['loss'] ?? NaN).toFixed(4)}`)
    },
    onEpochEnd: async (epoch: number, logs?: Record<string, number>) => {
      const outcome = checkpoint.lastOutcome
      const now = new Set((await keptFromIndexedDb()).map((e) => e.path))
      const deleted = [...kept].filter((p) => !now.has(p))
      kept.clear()
      for (const p of now) kept.add(p)
      history.points.push({
        epoch,
        loss: logs?.['loss'] ?? NaN,
        valLoss: logs?.['val_loss'] ?? NaN,
        saved: outcome?.saved === true ? outcome.path : null,
        deleted: deleted.map((path) => ({ path, epoch: history.points.find((p) => p.saved === path)?.epoch ?? null })),
      })
      saveHistory(history)
      drawChart($('chart'), history.points, history.resumedAt, EPOCHS)
      status(
        `Epoch ${epoch + 1}/${EPOCHS} done: ${outcome?.saved === true ? `saved ${outcome.path}` : 'not saved (no improvement)'}`,
        epoch + 1,
      )
      await showKept()
      // Stopped at an epoch's end, not mid-epoch: a cut epoch has no val_loss for the checkpoint's filepath.
      if (stopping) model.stopTraining = true
    },
  })

const train = async (): Promise<void> => {
  status('Starting the wasm backend…')
  await useBackend('wasm', { wasmPaths: '/wasm/' })
  const data = dataset()
  const history = loadHistory()
  const restored = await restoreLatest(storage)
  let model: tfl.LayersModel
  let initialEpoch = 0
  if (restored === null) {
    saveHistory({ points: [], resumedAt: [] })
    Object.assign(history, { points: [], resumedAt: [] })
    model = freshModel(data.features)
  } else {
    model = restored.model
    initialEpoch = restored.initialEpoch
    // Epochs after the checkpoint are trained again: their points go.
    history.points = history.points.filter((p) => p.epoch < initialEpoch)
    if (!history.points.some((p) => p.epoch === restored.entry.epoch))
      history.points.push(pointOf(restored.entry, history, await keptFromIndexedDb()))
    history.resumedAt.push(initialEpoch)
    saveHistory(history)
    $('resumed').textContent =
      `Resumed from the latest checkpoint, ${restored.entry.path} (saved at epoch ${restored.entry.epoch + 1}), ` +
      `with its optimizer state: training continues at epoch ${initialEpoch + 1}.`
  }
  window.ckptDemo = {
    keptFromIndexedDb: async () => (await keptFromIndexedDb()).map((e) => e.path),
    stop: () => void (stopping = true),
  }
  drawChart($('chart'), history.points, history.resumedAt, EPOCHS)
  await showKept()
  const checkpoint = modelCheckpoint({
    storage,
    ...demoCheckpoint,
    log,
    // ckpt's writer lock refuses a second training tab (and is taken over at once after a reload); the Web Lock taken
    // in main() makes a second tab wait for the first instead of failing.
  })
  const kept = new Set((await keptFromIndexedDb()).map((e) => e.path))
  // modelCheckpoint goes first: tfjs hands the model to the callbacks only when the first one is a tf.Callback.
  await model.fit(data.x, data.y, {
    epochs: EPOCHS,
    initialEpoch,
    batchSize: BATCH_SIZE,
    validationSplit: 0.2,
    shuffle: false,
    yieldEvery: 'batch',
    callbacks: [checkpoint, recorder(checkpoint, history, kept, model)],
  })
  const last = history.points.at(-1)?.epoch ?? -1
  status(
    last + 1 === EPOCHS
      ? `Done: ${EPOCHS} epochs. Reload to see the last checkpoint restored, or start over.`
      : `Stopped after epoch ${last + 1}.`,
  )
  $('status').dataset['state'] = 'ended'
}

/** Deletes every object of the demo's store, and the chart's history. */
const startOver = async (): Promise<void> => {
  stopping = true
  await training.catch(() => undefined)
  for (const key of await storage.list()) await storage.remove(key)
  localStorage.removeItem(HISTORY_KEY)
  location.reload()
}

declare global {
  interface Window {
    /** For the demo's test: the kept paths as the index in IndexedDB lists them, and a stop at the epoch's end. */
    ckptDemo?: { keptFromIndexedDb: () => Promise<ReadonlyArray<string>>; stop: () => void }
  }
}

const main = async (): Promise<void> => {
  $('restart').addEventListener('click', () => void startOver())
  // One training tab per origin: a second tab waits here until the first is closed or reloaded.
  await navigator.locks.request(`${STORE}:trainer`, (lock) => (lock === null ? undefined : (training = train())))
}

status('Waiting for the other tab that trains this demo to close…')
main().catch((e: unknown) => {
  status(`Failed: ${e instanceof Error ? e.message : String(e)}`)
  console.error(e)
})
