import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer, exportRun } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { quiet, spawnCli, tempDir, type CliResult } from './support.js'

const t = tempDir('ckpt-cli-export-full-')
afterAll(t.cleanup)

/** `ckpt argv` in a child that may write files of at most `kib` KiB: a write across that limit is cut short, as on a full disk. */
const ckptLimited = (argv: ReadonlyArray<string>, kib: number): Promise<CliResult> =>
  // SIGXFSZ ignored (inherited through exec): the short write and then EFBIG, instead of a killed process.
  spawnCli(argv, { launcher: ['bash', '-c', `trap '' XFSZ; ulimit -f ${kib}; exec "$@"`, 'bash'] })

/** A folder of one checkpoint whose archive is an odd number of 512-byte blocks (so its size less one block is whole KiB). */
const oddRun = async (): Promise<{ dir: string; size: number }> => {
  for (let n = 300_000; ; n += 128) {
    const dir = join(t.dir, `run-${n}`)
    const c = await createCheckpointer({ storage: fsStorage(dir), filepath: 'm/e{epoch}.safetensors', monitor: 'loss', ...quiet })
    const tensors = { w: { dtype: 'F32' as const, shape: [n], data: Float32Array.from({ length: n }, (_, i) => Math.sin(i)) } }
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensors)
    await c.close()
    const { size } = await exportRun(fsStorage(dir))
    if ((size / 512) % 2 === 1) return { dir, size }
  }
}

describe('ckpt export on a disk that fills up', () => {
  it('a write cut short at the end of the archive fails the export: no FILE, no partial file', async () => {
    const { dir, size } = await oddRun()
    const out = join(t.dir, 'run.tar')
    // Room for all but the last 512 bytes: the final write (tar's two zero blocks) is cut short, with no error.
    const r = await ckptLimited(['export', dir, '--out', out], (size - 512) / 1024)
    expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(existsSync(out) ? statSync(out).size : null).toBeNull()
    expect(readdirSync(t.dir).filter((n) => n.startsWith('run.tar'))).toEqual([])
  }, 60_000)
})
