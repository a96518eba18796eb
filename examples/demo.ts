// The main job, end to end: train on the wasm backend with a Keras-style ModelCheckpoint, kill the training
// process partway through, resume from the latest checkpoint in a fresh process and finish, then list what
// was kept. With a local folder it also writes the run's history and policy beside it (<folder>-history.jsonl,
// <folder>-policy.json), from which `ckpt plot` and `ckpt report` draw every save, skip and deletion.
//
//   npm run demo                                   # ./checkpoints on the local disk
//   npm run demo -- --storage memory               # a memfs volume (the "kill" is simulated in-process)
//   npm run demo -- --storage s3://bucket/prefix   # S3 (AWS_ENDPOINT_URL etc. for MinIO/R2/a local server)
//   npm run demo -- --backend cpu --epochs 12 --kill-at 5
import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as tfl from '@tensorflow/tfjs-layers'
import { fsStorage } from '../src/storage/fs.js'
import { memoryStorage } from '../src/storage/memory.js'
import type { Storage } from '../src/storage/storage.js'
import { modelCheckpoint, restoreLatest, useBackend, type BackendName } from '../src/adapters/tfjs/index.js'
import { loadIndex, type Entry } from '../src/checkpointer/index.js'
import { rankValue } from '../src/policy/index.js'
import { demoCheckpoint } from './demo-checkpoint.js'
import { seededMlp, syntheticRegression } from './synthetic.js'

const { values: args } = parseArgs({
  options: {
    storage: { type: 'string', default: './checkpoints' },
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '12' },
    'kill-at': { type: 'string', default: '5' },
    phase: { type: 'string', default: 'main' },
  },
})
const EPOCHS = Number(args.epochs)
const KILL_AT = Number(args['kill-at'])
const BATCH_SIZE = 32
const say = (line: string) => process.stdout.write(`${line}\n`)
const local = args.storage !== 'memory' && !args.storage.startsWith('s3://')
/** The run's history (one JSON line an epoch, as `ckpt simulate --events` and `ckpt plot --log` read) and policy. */
const HISTORY = local ? `${args.storage.replace(/\/+$/, '')}-history.jsonl` : null
const POLICY = local ? `${args.storage.replace(/\/+$/, '')}-policy.json` : null
/** JSON has no NaN or infinities: the history writes them as the strings ckpt reads back. */
const finite = (_key: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)

/** The checkpoint options: the demos' rule (demo-checkpoint.ts), its lines on stdout. */
const checkpointOptions = (storage: Storage) => ({
  storage,
  ...demoCheckpoint,
  log: (line: string) => say(`${process.stdout.isTTY ? '\n' : ''}  ${line}`),
})

const openStorage = async (spec: string): Promise<Storage> => {
  if (spec === 'memory') return memoryStorage()
  if (spec.startsWith('s3://')) {
    const { s3Storage } = await import('../src/storage/s3.js')
    const [bucket = '', ...rest] = spec.slice('s3://'.length).split('/')
    const endpoint = process.env.AWS_ENDPOINT_URL
    return s3Storage({ bucket, prefix: rest.join('/'), ...(endpoint ? { endpoint, forcePathStyle: true } : {}) })
  }
  return fsStorage(spec)
}

/** A synthetic regression task, the same in every process. */
const dataset = () => syntheticRegression(1536, 16, 0.4)

const buildModel = (features: number): tfl.LayersModel => seededMlp(features, [64, 32], 0.01)

/** A progress bar on the batch ends, redrawn in place. */
const progress = (epochs: number, batches: number, onBatch?: (epoch: number, batch: number) => void) => {
  let epoch = 0
  return new tfl.CustomCallback({
    onEpochBegin: (e: number) => {
      epoch = e
    },
    onBatchEnd: (batch: number, logs?: Record<string, number>) => {
      onBatch?.(epoch, batch)
      if (!process.stdout.isTTY) return
      const done = Math.round(((batch + 1) / batches) * 24)
      process.stdout.write(
        `\r  epoch ${String(epoch + 1).padStart(2)}/${epochs} [${'#'.repeat(done)}${'.'.repeat(24 - done)}] loss ${(logs?.loss ?? NaN).toFixed(4)}`,
      )
    },
    onEpochEnd: (e: number, logs?: Record<string, number>) => {
      if (HISTORY !== null) appendFileSync(HISTORY, `${JSON.stringify({ epoch: e, logs: logs ?? {} }, finite)}\n`)
      const bar = process.stdout.isTTY ? '' : `  epoch ${String(epoch + 1).padStart(2)}/${epochs} loss ${(logs?.loss ?? NaN).toFixed(4)}`
      process.stdout.write(`${bar}  val_loss ${(logs?.val_loss ?? NaN).toFixed(4)}\n`)
    },
  })
}

const fit = async (model: tfl.LayersModel, storage: Storage, initialEpoch: number, onBatch?: (epoch: number, batch: number) => void) => {
  const { x, y } = dataset()
  const batches = Math.ceil((x.shape[0] * 0.8) / BATCH_SIZE)
  await model.fit(x, y, {
    epochs: EPOCHS,
    initialEpoch,
    batchSize: BATCH_SIZE,
    validationSplit: 0.2,
    shuffle: false,
    verbose: 0,
    // tfjs hands the model to the callbacks only when the first one is a tf.Callback: modelCheckpoint goes first.
    callbacks: [modelCheckpoint(checkpointOptions(storage)), progress(EPOCHS, batches, onBatch)],
  })
  x.dispose()
  y.dispose()
}

/** Phase 1, in a child process: train from scratch until the parent kills it. */
const trainPhase = async () => {
  await useBackend(args.backend as BackendName)
  const storage = await openStorage(args.storage)
  await fit(buildModel(dataset().features), storage, 0, (epoch, batch) => process.send?.({ epoch, batch }))
}

const table = async (storage: Storage) => {
  const loaded = await loadIndex(storage)
  const entries: ReadonlyArray<Entry> = loaded?.doc.checkpoints ?? []
  const ranking = loaded?.doc.ranking ?? { monitor: 'val_loss', mode: 'min' as const }
  const best = entries.reduce<Entry | null>((b, e) => (b === null || rankValue(ranking, e) <= rankValue(ranking, b) ? e : b), null)
  const latest = entries.at(-1)
  say('\nKept checkpoints (top-3 by val_loss):')
  say(`  ${'path'.padEnd(40)} ${'epoch'.padStart(5)} ${'val_loss'.padStart(9)} ${'size'.padStart(9)}`)
  for (const e of entries) {
    const size = e.files.reduce((n, f) => n + f.size, 0)
    const marks = [e === best ? 'best' : '', e === latest ? 'latest' : ''].filter(Boolean).join(', ')
    say(
      `  ${e.path.padEnd(40)} ${String(e.epoch + 1).padStart(5)} ${(e.metrics.val_loss ?? NaN).toFixed(4).padStart(9)} ${`${(size / 1024).toFixed(1)} KB`.padStart(9)}  ${marks}`,
    )
  }
}

const main = async () => {
  const started = Date.now()
  if (local && existsSync(`${args.storage}/ckpt-index.json`)) {
    say(`Starting afresh: removing the previous demo's checkpoints in ${args.storage}`)
    rmSync(args.storage, { recursive: true, force: true })
  }
  if (HISTORY !== null && POLICY !== null) {
    rmSync(HISTORY, { force: true })
    mkdirSync(dirname(POLICY), { recursive: true }) // the folder's parent may not exist yet
    writeFileSync(POLICY, `${JSON.stringify(demoCheckpoint, null, 2)}\n`)
  }
  const storage = await openStorage(args.storage)
  say(`ckpt demo: ${EPOCHS} epochs on the ${args.backend} backend, checkpoints in ${args.storage}\n`)
  say(`1. Training in a child process; it will be killed (SIGKILL) in the middle of epoch ${KILL_AT + 1}.`)

  if (args.storage === 'memory') {
    // A memfs volume lives in this process, so the "kill" is simulated: a throw mid-epoch ends fit, and the model
    // object is dropped. (Not stopTraining: that ends the epoch early, without the val_loss the filepath needs.)
    await useBackend(args.backend as BackendName)
    let model: tfl.LayersModel | null = buildModel(dataset().features)
    const crash = new Error('simulated crash')
    await fit(model, storage, 0, (epoch, batch) => {
      if (epoch === KILL_AT && batch === 10) throw crash
    }).catch((e: unknown) => {
      if (e !== crash) throw e
    })
    model = null
    say(`\n  [simulated crash in epoch ${KILL_AT + 1}: the model object is gone]`)
  } else {
    const self = fileURLToPath(import.meta.url)
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', self, '--phase', 'train', '--storage', args.storage, '--backend', args.backend, '--epochs', String(EPOCHS)],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    )
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { epoch: number; batch: number }) => {
        if (m.epoch === KILL_AT && m.batch === 10) child.kill('SIGKILL')
      })
      child.on('exit', (code, signal) =>
        signal === 'SIGKILL' ? resolve() : reject(new Error(`the training process ended on its own (code ${code}) before the kill`)),
      )
    })
    say(`\n  [killed the training process with SIGKILL in epoch ${KILL_AT + 1}]`)
  }

  say('\n2. Resuming from the latest checkpoint in this process, with a fresh model object.')
  await useBackend(args.backend as BackendName)
  const restored = await restoreLatest(storage)
  if (restored === null) throw new Error('nothing to resume: no checkpoint was committed before the kill')
  say(
    `  restored ${restored.entry.path} (epoch ${restored.entry.epoch + 1}, val_loss ${restored.entry.metrics.val_loss?.toFixed(4)}): model, optimizer state and policy state; fit resumes at initialEpoch ${restored.initialEpoch}\n`,
  )
  await fit(restored.model, storage, restored.initialEpoch)

  await table(storage)
  say(
    `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Inspect with: npx ckpt ls ${args.storage}   (and: npx ckpt verify ${args.storage})`,
  )
  if (HISTORY !== null && POLICY !== null)
    say(`Draw it: npx ckpt plot ${args.storage} --log ${HISTORY} --config ${POLICY} --out run.svg   (or ckpt report ... --out run.html)`)
}

try {
  await (args.phase === 'train' ? trainPhase() : main())
} catch (e) {
  // Print the message, not a stack: the wasm backend's own handler would dump its minified source.
  process.stderr.write(`\nckpt demo failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
}
