/**
 * Storage bench: the fs adapter against raw node:fs on the same bytes; S3 against boto3's managed transfers on the
 * same moto_server (boto3 in a python3 child, runs interleaved), and multipart against one PutObject on s3rver;
 * each as a ratio of medians measured in the same run. Peak memory is measured in child processes.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createCheckpointer } from '../src/checkpointer/index.js'
import { fsStorage } from '../src/storage/fs.js'
import { s3Storage } from '../src/storage/s3.js'
import { motoMissing, startMoto, startS3rver, storageOptions, type S3Server } from '../test/support/s3-servers.js'
import { benchRuns, floatTensors, median, skippedRow, timeRuns, type BenchRow, type BenchSection } from './harness.js'

const MiB = 1024 * 1024
const RUNS = benchRuns(5)
const CHILD_ENV = 'CKPT_BENCH_STORAGE_RSS_CHILD'

const chunks = (count: number, size: number): Uint8Array[] => Array.from({ length: count }, () => randomFillSync(new Uint8Array(size)))

/** Raw baseline: one file handle, writeFile of the same chunks, fsync, close. */
const rawWrite = async (file: string, data: ReadonlyArray<Uint8Array>): Promise<void> => {
  const handle = await open(file, 'w')
  try {
    await writeFile(handle, data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

const mbps = (bytes: number, ms: number): string => `${((bytes / MiB) * 1000) / ms}`.slice(0, 6)

/** In a child process: peak RSS (maxRSS) above the RSS once the data is allocated, for one write. */
const childMeasure = async (mode: 'ckpt' | 'raw' | 'concat'): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'ckpt-bench-rss-'))
  try {
    const data = chunks(16, 16 * MiB)
    if (mode === 'ckpt') await fsStorage(dir).open()
    globalThis.gc?.()
    const before = process.memoryUsage().rss
    const peakBefore = process.resourceUsage().maxRSS * 1024
    if (mode === 'ckpt') await fsStorage(dir).write('bench/object.bin', data)
    else if (mode === 'raw') await rawWrite(join(dir, 'object.bin'), data)
    else await fsStorage(dir).write('bench/object.bin', Buffer.concat(data)) // a control: what concatenation would cost
    const peak = process.resourceUsage().maxRSS * 1024
    process.stdout.write(JSON.stringify({ above: Math.max(0, peak - Math.max(before, peakBefore)) }))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const peakAboveData = (mode: 'ckpt' | 'raw' | 'concat'): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, [CHILD_ENV]: mode },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) =>
      code === 0 ? resolve((JSON.parse(out) as { above: number }).above) : reject(new Error(`RSS child exited with ${code}`)),
    )
  })

const fsRows = async (): Promise<BenchRow[]> => {
  const dir = await mkdtemp(join(tmpdir(), 'ckpt-bench-fs-'))
  try {
    const data = chunks(16, 16 * MiB)
    const total = 256 * MiB
    const storage = fsStorage(dir)
    await storage.open()
    const ours = median(await timeRuns(RUNS, () => storage.write('bench/object.bin', data)))
    const raw = median(await timeRuns(RUNS, () => rawWrite(join(dir, 'raw.bin'), data)))
    const rssOurs = median([await peakAboveData('ckpt'), await peakAboveData('ckpt'), await peakAboveData('ckpt')])
    const rssRaw = median([await peakAboveData('raw'), await peakAboveData('raw'), await peakAboveData('raw')])
    const rssControl = await peakAboveData('concat')
    const writeRatio = raw / ours
    const readOurs = median(await timeRuns(RUNS, () => storage.read('bench/object.bin')))
    const readRaw = median(await timeRuns(RUNS, () => readFile(join(dir, 'bench', 'object.bin'))))
    return [
      {
        name: 'fs write 256 MiB as 16 × 16 MiB chunks (temp file, fsync, rename, folder fsync)',
        subject: `median ${ours.toFixed(0)} ms (${mbps(total, ours)} MiB/s), peak RSS +${(rssOurs / MiB).toFixed(1)} MiB above the data`,
        baseline: `writeFile(handle, same chunks) + fsync: median ${raw.toFixed(0)} ms (${mbps(total, raw)} MiB/s), peak RSS +${(rssRaw / MiB).toFixed(1)} MiB (control: a write that concatenates first measures +${(rssControl / MiB).toFixed(0)} MiB)`,
        ratio: writeRatio,
        ratioMeaning: 'ckpt throughput / raw throughput',
        target: '>= 0.9, and peak RSS <= 64 MiB above the data',
        pass: writeRatio >= 0.9 && rssOurs <= 64 * MiB,
      },
      {
        name: 'fs read 256 MiB',
        subject: `storage.read: median ${readOurs.toFixed(0)} ms (${mbps(total, readOurs)} MiB/s)`,
        baseline: `fs.readFile: median ${readRaw.toFixed(0)} ms (${mbps(total, readRaw)} MiB/s)`,
        ratio: readRaw / readOurs,
        ratioMeaning: 'ckpt throughput / raw throughput',
      },
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Bytes per S3 row against boto3: BENCH_S3_MIB MiB (default 256), in 16 MiB float32 tensors for the Checkpointer rows. */
const S3_BYTES = Number(process.env['BENCH_S3_MIB'] ?? 256) * MiB
const TENSOR_BYTES = 16 * MiB

/** Why the boto3 peer cannot run here, or null. */
const boto3Missing = (): string | null => {
  const probe = spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' })
  if (probe.error) return `python3 is not on PATH (${probe.error.message})`
  return probe.status === 0 ? null : `python3 cannot import boto3 (pip install boto3): ${probe.stderr.trim().split('\n').at(-1)}`
}

/** The boto3 peer (bench/s3-boto3.py) in a python3 child holding `bytes` random bytes; `run` times one managed transfer. */
const startBoto3 = async (server: S3Server, key: string, bytes: number) => {
  const script = fileURLToPath(new URL('./s3-boto3.py', import.meta.url))
  const child = spawn('python3', [script, server.endpoint, server.bucket, key, String(bytes)], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const answer = async (): Promise<{ ms?: number; error?: string }> => {
    const line = await lines.next()
    if (line.done === true) throw new Error(`the boto3 child exited (${child.exitCode ?? child.signalCode})`)
    return JSON.parse(line.value) as { ms?: number; error?: string }
  }
  await answer() // ready: the bytes are made
  return {
    run: async (command: 'upload' | 'download'): Promise<number> => {
      child.stdin.write(`${command}\n`)
      const { ms, error } = await answer()
      if (ms === undefined) throw new Error(`boto3 ${command}: ${error}`)
      return ms
    },
    stop: () =>
      new Promise<void>((resolve) =>
        child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.stdin.end('quit\n')),
      ),
  }
}

const seconds = (ms: ReadonlyArray<number>): string => ms.map((m) => (m / 1000).toFixed(1)).join(', ')
const described = (ms: ReadonlyArray<number>, bytes: number): string =>
  `median ${(median(ms) / 1000).toFixed(2)} s (${mbps(bytes, median(ms))} MiB/s; runs ${seconds(ms)} s)`

/**
 * S3 against boto3's managed transfers (`upload_fileobj` / `download_fileobj`, default TransferConfig: 8 MiB parts,
 * 10 threads) on one moto_server, same byte count, runs interleaved so that load swings hit both alike. Two
 * comparisons: the Storage alone (the transport: both send parts with a CRC32 each, SHA-256-signed over http), the
 * like-for-like one the target is set on; and a checkpoint through the Checkpointer (safetensors, its SHA-256 over
 * the whole file, the index commit; the restore verified), which does more than boto3 does.
 */
const motoRows = async (): Promise<BenchRow[]> => {
  const names = [`S3 upload ${S3_BYTES / MiB} MiB vs boto3 upload_fileobj`, `S3 download ${S3_BYTES / MiB} MiB vs boto3 download_fileobj`]
  const missing = motoMissing() ?? boto3Missing()
  if (missing !== null) return names.map((name) => skippedRow(name, missing))
  const server = await startMoto('bench')
  try {
    const boto3 = await startBoto3(server, 'boto3.bin', S3_BYTES)
    const storage = s3Storage(storageOptions(server, { partSize: 8 * MiB }))
    const ckpt = await createCheckpointer({
      storage: s3Storage(storageOptions(server, { partSize: 8 * MiB })),
      filepath: 'e{epoch}.safetensors',
      monitor: 'loss',
      maxToKeep: 1,
      log: () => {},
    })
    try {
      await storage.open()
      const bytes = randomFillSync(new Uint8Array(S3_BYTES))
      const tensors = floatTensors(S3_BYTES / TENSOR_BYTES, TENSOR_BYTES, (i) => `layer_${String(i).padStart(2, '0')}/kernel`)
      const times = {
        write: [] as number[],
        read: [] as number[],
        up: [] as number[],
        down: [] as number[],
        save: [] as number[],
        restore: [] as number[],
      }
      const timed = async (f: () => Promise<unknown>): Promise<number> => (await timeRuns(1, f, 0))[0]!
      for (let i = 0; i <= RUNS; i++) {
        const write = await timed(() => storage.write('ckpt.bin', bytes))
        const up = await boto3.run('upload')
        const read = await timed(async () => {
          if ((await storage.read('ckpt.bin')).byteLength !== S3_BYTES) throw new Error('storage.read returned another size')
        })
        const down = await boto3.run('download')
        const save = await timed(() => ckpt.onEpochEnd({ epoch: i, logs: { loss: 1 } }, tensors))
        await ckpt.flush() // retention's removal of the previous checkpoint, outside the timing
        const restore = await timed(() => ckpt.restore())
        if (i === 0) continue // the first round warms up both sides
        times.write.push(write)
        times.up.push(up)
        times.read.push(read)
        times.down.push(down)
        times.save.push(save)
        times.restore.push(restore)
      }
      /** One row against boto3: throughput ratio of medians, target 0.8. */
      const row = (name: string, ours: string, oursMs: number[], peer: 'upload' | 'download', meaning = ''): BenchRow => {
        const peerMs = peer === 'upload' ? times.up : times.down
        const ratio = median(peerMs) / median(oursMs)
        return {
          name,
          subject: `${ours}: ${described(oursMs, S3_BYTES)}`,
          baseline: `boto3 ${peer}_fileobj: ${described(peerMs, S3_BYTES)}`,
          ratio,
          ratioMeaning: `ckpt throughput / boto3 throughput${meaning}`,
          target: '>= 0.8',
          pass: ratio >= 0.8,
        }
      }
      const of = `${S3_BYTES / MiB} MiB`
      return [
        row(
          `${names[0]} (the transport alone, like for like: one buffer, 8 MiB parts, moto_server)`,
          'storage.write',
          times.write,
          'upload',
        ),
        row(
          `${names[1]} (the transport alone, like for like: into one buffer, 8 MiB ranged GETs, moto_server)`,
          'storage.read',
          times.read,
          'download',
        ),
        row(
          `S3 checkpoint save of ${of} (${S3_BYTES / TENSOR_BYTES} float32 tensors) through the Checkpointer: safetensors, SHA-256, index commit`,
          'onEpochEnd',
          times.save,
          'upload',
          ' (ckpt also hashes the file and commits the index)',
        ),
        row(
          `S3 verified restore of that checkpoint through the Checkpointer (every byte hashed, the read stops 1 byte past the recorded size)`,
          'restore()',
          times.restore,
          'download',
          ' (boto3 checks no checksum of a ranged download)',
        ),
      ]
    } finally {
      await ckpt.close()
      await storage.close()
      await boto3.stop()
    }
  } finally {
    await server.stop()
  }
}

const s3Rows = async (): Promise<BenchRow[]> => {
  const server = await startS3rver('bench')
  try {
    const total = 64 * MiB
    const parts = chunks(8, 8 * MiB)
    const whole = Buffer.concat(parts)
    const storage = s3Storage({
      bucket: 'bench',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
      partSize: 8 * MiB,
      queueSize: 4,
    })
    await storage.open()
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3')
    const client = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: server.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
    const ours = median(await timeRuns(RUNS, () => storage.write('multipart.bin', parts)))
    const raw = median(
      await timeRuns(RUNS, () =>
        client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'single.bin', Body: whole, ContentLength: total })),
      ),
    )
    client.destroy()
    await storage.close()
    return [
      {
        name: 'S3 write 64 MiB to local s3rver: multipart (8 × 8 MiB parts, 4 in parallel)',
        subject: `median ${ours.toFixed(0)} ms (${mbps(total, ours)} MiB/s)`,
        baseline: `one PutObject of the same bytes: median ${raw.toFixed(0)} ms (${mbps(total, raw)} MiB/s)`,
        ratio: raw / ours,
        ratioMeaning: 'ckpt throughput / single PutObject throughput',
      },
    ]
  } finally {
    await server.stop()
  }
}

const section = {
  name: 'storage',
  // BENCH_STORAGE_ROWS=moto (or fs, s3rver, comma-separated) runs only those rows.
  run: async () => {
    const only = process.env['BENCH_STORAGE_ROWS']?.split(',')
    const rows: BenchRow[] = []
    for (const [name, measure] of [
      ['fs', fsRows],
      ['moto', motoRows],
      ['s3rver', s3Rows],
    ] as const)
      if (only === undefined || only.includes(name)) rows.push(...(await measure()))
    return rows
  },
} satisfies BenchSection

export default section

const childMode = process.env[CHILD_ENV]
if (childMode === 'ckpt' || childMode === 'raw' || childMode === 'concat') await childMeasure(childMode)
