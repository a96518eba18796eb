/**
 * Bench: `.weights.h5` save and load of one architecture, ckpt (tfjs model, fs storage) against Keras 3
 * (`save_weights` / `load_weights`, Python in a child process), measured in the same run, interleaved; and the peak
 * RSS of a save and a load in fresh child processes against the model's size. Both sides write a new file per save
 * (this disk is faster on blocks it has written before). The Keras rows print why they are skipped when there is
 * no Python with keras, tensorflow and h5py (test/keras/python/setup-venv.sh makes the venv; CKPT_KERAS_VENV names another).
 *
 * CKPT_BENCH_KERAS_LAYERS and CKPT_BENCH_KERAS_RUNS change the model (16 layers: 256 MiB) and the runs (5).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import * as tfl from '@tensorflow/tfjs-layers'
import { useBackend } from '../src/adapters/tfjs/backend.js'
import { loadKerasWeights, saveKerasWeights } from '../src/adapters/tfjs/index.js'
import { fsStorage } from '../src/storage/fs.js'
import { median, type BenchRow, type BenchSection } from './harness.js'

const MiB = 2 ** 20
const UNITS = 2048
const LAYERS = Number(process.env['CKPT_BENCH_KERAS_LAYERS'] ?? 16)
const RUNS = Number(process.env['CKPT_BENCH_KERAS_RUNS'] ?? 5)
/** The budget: peak RSS at most the model's size plus 128 MB. */
const RSS_ALLOWANCE = 128 * MiB
const root = fileURLToPath(new URL('..', import.meta.url))

const venvPython = (): string => join(process.env['CKPT_KERAS_VENV'] ?? join(homedir(), '.cache', 'ckpt-keras-venv'), 'bin', 'python')

/** A Python that imports keras, tensorflow and h5py, or why there is none. */
const findPython = (): { readonly python: string } | { readonly missing: string } => {
  const candidates = [venvPython(), 'python3']
  for (const python of candidates) {
    if (python !== 'python3' && !existsSync(python)) continue
    const r = spawnSync(python, ['-c', 'import keras, tensorflow, h5py'], {
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    })
    if (r.status === 0) return { python }
  }
  return { missing: `no Python with keras, tensorflow and h5py (tried ${candidates.join(', ')}; run test/keras/python/setup-venv.sh)` }
}

interface Peer {
  request<T>(req: Record<string, unknown>): Promise<T>
  close(): Promise<void>
}

const startPeer = (python: string): Peer => {
  const child: ChildProcessWithoutNullStreams = spawn(python, [join(root, 'bench', 'keras_peer.py')], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)))
  const waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line) as { ok: boolean; error?: string }
    const w = waiting.shift()
    if (reply.ok) w?.resolve(reply)
    else w?.reject(new Error(`keras: ${reply.error}`))
  })
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the Keras peer exited (${code}): ${stderr}`))
  })
  return {
    request: <T>(req: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        waiting.push({ resolve: resolve as (v: unknown) => void, reject })
        child.stdin.write(`${JSON.stringify(req)}\n`)
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.on('exit', () => resolve())
        child.stdin.end()
      }),
  }
}

/** 16 × Dense(2048) on input 2048, as the Keras peer builds it; the weights filled with a cheap pattern. */
const benchModel = (): tfl.Sequential =>
  tfl.sequential({
    layers: Array.from({ length: LAYERS }, (_, i) =>
      tfl.layers.dense({ units: UNITS, inputShape: i === 0 ? [UNITS] : undefined, kernelInitializer: 'ones', biasInitializer: 'ones' }),
    ),
  })

const ms = (xs: ReadonlyArray<number>): string => xs.map((x) => x.toFixed(0)).join(', ')
const mibps = (bytes: number, msMedian: number): string => `${(bytes / MiB / (msMedian / 1000)).toFixed(0)} MiB/s`

/** Times interleaved runs of ckpt and Keras (the order swapped each run), after one warm-up of each. */
const interleaved = async (
  runs: number,
  ckpt: (i: number) => Promise<number>,
  keras: (i: number) => Promise<number>,
): Promise<{ ckpt: number[]; keras: number[] }> => {
  await ckpt(-1)
  await keras(-1)
  const out = { ckpt: [] as number[], keras: [] as number[] }
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      out.ckpt.push(await ckpt(i))
      out.keras.push(await keras(i))
    } else {
      out.keras.push(await keras(i))
      out.ckpt.push(await ckpt(i))
    }
  }
  return out
}

const timed = async (run: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now()
  await run()
  return performance.now() - t0
}

const speedRows = async (python: string): Promise<BenchRow[]> => {
  await useBackend('cpu')
  const dir = await mkdtemp(join(tmpdir(), 'ckpt-bench-keras-'))
  const peer = startPeer(python)
  try {
    const { bytes } = await peer.request<{ bytes: number }>({ op: 'build', layers: LAYERS, units: UNITS })
    const model = benchModel()
    const storage = fsStorage(dir)
    const label = `${LAYERS} × Dense(${UNITS}), ${(bytes / MiB).toFixed(0)} MiB`
    // Saves: a new file per save on both sides, removed after its run.
    const saves = await interleaved(
      RUNS,
      async (i) => {
        const t = await timed(() => saveKerasWeights(model, storage, `ckpt-${i}.weights.h5`, { includeOptimizer: false }))
        await rm(join(dir, `ckpt-${i}.weights.h5`))
        return t
      },
      async (i) => {
        const r = await peer.request<{ seconds: number }>({ op: 'save', path: join(dir, `keras-${i}.weights.h5`) })
        await rm(join(dir, `keras-${i}.weights.h5`))
        return r.seconds * 1000
      },
    )
    // Loads: both sides load the same file, which Keras wrote (Keras's layout: metadata between the datasets).
    await peer.request({ op: 'save', path: join(dir, 'keras.weights.h5') })
    const loads = await interleaved(
      RUNS,
      () => timed(() => loadKerasWeights(model, storage, 'keras.weights.h5')),
      async () => (await peer.request<{ seconds: number }>({ op: 'load', path: join(dir, 'keras.weights.h5') })).seconds * 1000,
    )
    // And each side's own file: ckpt's layout puts the metadata first and the data in one run.
    await saveKerasWeights(model, storage, 'ckpt.weights.h5', { includeOptimizer: false })
    const ownLoads = await interleaved(
      RUNS,
      () => timed(() => loadKerasWeights(model, storage, 'ckpt.weights.h5')),
      async () => (await peer.request<{ seconds: number }>({ op: 'load', path: join(dir, 'keras.weights.h5') })).seconds * 1000,
    )
    const row = (name: string, what: string, peerWhat: string, r: { ckpt: number[]; keras: number[] }): BenchRow => {
      const ratio = median(r.keras) / median(r.ckpt)
      return {
        name,
        subject: `${what}: median ${median(r.ckpt).toFixed(0)} ms (${mibps(bytes, median(r.ckpt))}); runs ${ms(r.ckpt)} ms`,
        baseline: `${peerWhat}: median ${median(r.keras).toFixed(0)} ms (${mibps(bytes, median(r.keras))}); runs ${ms(r.keras)} ms`,
        ratio,
        ratioMeaning: 'ckpt throughput / Keras throughput',
        target: '>= 1.0',
        pass: ratio >= 1,
      }
    }
    return [
      row(
        `.weights.h5 save, ${label}, a new file per save`,
        'saveKerasWeights on fsStorage (temp file, fsync, rename, folder fsync)',
        'Keras save_weights (no fsync)',
        saves,
      ),
      row(`.weights.h5 load of the file Keras wrote, ${label}`, 'loadKerasWeights', 'Keras load_weights of the same file', loads),
      row(
        `.weights.h5 load, ${label}, each side its own file`,
        'loadKerasWeights of the file ckpt wrote',
        'Keras load_weights of the file Keras wrote',
        ownLoads,
      ),
    ]
  } finally {
    await peer.close()
    await rm(dir, { recursive: true, force: true })
  }
}

interface ChildReport {
  readonly runtimeBytes: number
  readonly modelBytes: number
  readonly peakBytes: number
  readonly growthBytes: number
  readonly elapsedMs: number
}

/** One save or load in a fresh process (test/keras/support/h5-memory-child.ts), with its peak RSS. */
const inChild = (op: 'save' | 'load', dir: string): ChildReport => {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(root, 'test/keras/support/h5-memory-child.ts'), op, dir, String(LAYERS), String(UNITS)],
    { cwd: root, encoding: 'utf8' },
  )
  if (r.status !== 0) throw new Error(`the ${op} child failed: ${r.stderr.slice(-2000)}`)
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildReport
}

const rssRows = async (python: string | null): Promise<BenchRow[]> => {
  const dir = await mkdtemp(join(tmpdir(), 'ckpt-bench-keras-rss-'))
  const peer = python === null ? null : startPeer(python)
  try {
    const keras = async (what: 'save' | 'load'): Promise<string> => {
      if (peer === null) return 'Keras: skipped (no Python with keras)'
      const r = await peer.request<{ growth: number }>({ op: 'peak', what, path: join(dir, 'keras.weights.h5') })
      return `Keras ${what === 'save' ? 'save_weights' : 'load_weights'} grew its RSS by ${(r.growth / MiB).toFixed(0)} MiB`
    }
    if (peer !== null) await peer.request({ op: 'build', layers: LAYERS, units: UNITS })
    const rows: BenchRow[] = []
    for (const op of ['save', 'load'] as const) {
      const c = inChild(op, dir)
      const over = c.peakBytes - c.runtimeBytes
      const budget = c.modelBytes + RSS_ALLOWANCE
      rows.push({
        name: `.weights.h5 ${op} peak RSS, ${LAYERS} × Dense(${UNITS}) (N = ${(c.modelBytes / MiB).toFixed(0)} MiB), fresh process`,
        subject: `${op === 'save' ? 'saveKerasWeights' : 'loadKerasWeights'}: peak ${(over / MiB).toFixed(0)} MiB above the runtime's ${(c.runtimeBytes / MiB).toFixed(0)} MiB (the model's weights included; the ${op} itself grew it by ${(c.growthBytes / MiB).toFixed(0)} MiB), ${c.elapsedMs.toFixed(0)} ms`,
        baseline: `N + 128 MiB = ${(budget / MiB).toFixed(0)} MiB; ${await keras(op)}`,
        ratio: over / c.modelBytes,
        ratioMeaning: 'peak RSS above the runtime / model size',
        target: '<= N + 128 MiB',
        pass: over <= budget,
      })
    }
    return rows
  } finally {
    await peer?.close()
    await rm(dir, { recursive: true, force: true })
  }
}

const run = async (): Promise<ReadonlyArray<BenchRow>> => {
  const found = findPython()
  const python = 'python' in found ? found.python : null
  if (python === null) console.log(`the Keras rows are skipped: ${'missing' in found ? found.missing : ''}`)
  const speed = python === null ? [] : await speedRows(python)
  return [...speed, ...(await rssRows(python))]
}

const section = { name: 'keras', run } satisfies BenchSection
export default section
