/**
 * Storage bench: the fs adapter against raw node:fs on the same bytes, and S3 multipart against one PutObject,
 * each as a ratio of medians measured in the same process. Peak memory is measured in child processes.
 */
import { spawn } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fsStorage } from '../src/storage/fs.js'
import { s3Storage } from '../src/storage/s3.js'
import { startS3rver } from '../test/support/s3-servers.js'
import { benchRuns, median, timeRuns, type BenchRow, type BenchSection } from './harness.js'

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
  run: async () => [...(await fsRows()), ...(await s3Rows())],
} satisfies BenchSection

export default section

const childMode = process.env[CHILD_ENV]
if (childMode === 'ckpt' || childMode === 'raw' || childMode === 'concat') await childMeasure(childMode)
