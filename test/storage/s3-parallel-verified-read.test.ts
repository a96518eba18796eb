import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { verifyEntry } from '../../src/checkpointer/artifact-reader.js'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { s3Storage } from '../../src/storage/s3.js'
import type { Tensors } from '../../src/tensors/index.js'
import { quiet } from '../checkpointer/support.js'
import { motoMissing, useProxiedMoto } from './servers.js'

// A checkpoint file larger than one part is read back in parallel ranged GETs, every byte checked by its block. A
// restore reads the header's block, then the tensor's bytes; a whole-file check (`ckpt verify`) asks for one byte
// past the recorded size, no more.
const missing = motoMissing()
if (missing !== null) console.warn(`[storage] skipping the parallel verified S3 read suite: ${missing}`)

const MiB = 1024 * 1024

describe.skipIf(missing !== null)('a verified restore of a checkpoint read in parallel parts (moto_server behind a proxy)', () => {
  const moto = useProxiedMoto()
  const tensors: Tensors = { w: { dtype: 'F32', shape: [3 * MiB + 5], data: new Float32Array(randomBytes(4 * (3 * MiB + 5)).buffer) } }

  const saved = async () => {
    const options = moto().options() // 5 MiB parts: the 12 MiB file is read as a first GET and two ranged ones
    moto().proxy.arm()
    const c = await createCheckpointer({ storage: s3Storage(options), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensors)
    const [entry] = await c.list()
    return { c, entry: entry!, file: entry!.files[0]!, writer: s3Storage(options) }
  }
  const getsOf = (key: string) => moto().proxy.requests.filter((r) => r.startsWith('GET') && r.includes(key))

  // The header's block; then the bytes of its block before the tensor, the 12 MiB tensor straight into its own
  // buffer (a first GET and two ranged ones), and one byte past the end (a 416: the file ends where the index says).
  it('restores the tensors exactly: the header block, then the 12 MiB tensor as a first GET and two ranged ones', async () => {
    const { c, entry, file } = await saved()
    expect(file).toHaveProperty('blocks.size', MiB)
    moto().proxy.arm()
    const restored = await c.restore(entry.path)
    expect(Buffer.from(restored.value['w']!.data.buffer).equals(Buffer.from(tensors['w']!.data.buffer))).toBe(true)
    expect(getsOf(file.key)).toHaveLength(6)
    await c.close()
  })

  it('a restore of a file replaced by a far larger one reads its first block only, and reports it', async () => {
    const { c, entry, file, writer } = await saved()
    await writer.write(file.key, new Uint8Array(randomBytes(48 * MiB)))
    moto().proxy.arm()
    await expect(c.restore(entry.path)).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
      message: expect.stringContaining(`file "${file.key}" fails its checksum in block 0`) as unknown,
    })
    // The header's block and the block list (12 × 32 bytes), and the index if the restore reads it again.
    expect(moto().proxy.bodyBytes).toBeGreaterThanOrEqual(MiB)
    expect(moto().proxy.bodyBytes).toBeLessThan(MiB + 64 * 1024)
    await c.close()
  })

  it('a whole-file check reads one byte past the recorded size of a file replaced by a far larger one', async () => {
    const { c, entry, file, writer } = await saved()
    await writer.write(file.key, new Uint8Array(randomBytes(48 * MiB)))
    moto().proxy.arm()
    expect(await verifyEntry(writer, entry)).toContain(`file "${file.key}" has more than ${file.size} bytes`)
    // The file's recorded size and one byte, and its block list (well under 64 KiB).
    expect(moto().proxy.bodyBytes).toBeGreaterThan(file.size)
    expect(moto().proxy.bodyBytes).toBeLessThan(file.size + 1 + 64 * 1024)
    await c.close()
  })

  it('finds one byte changed in the last part of a file of the recorded size', async () => {
    const { c, entry, file, writer } = await saved()
    const bytes = await writer.read(file.key)
    bytes[bytes.byteLength - 3]! ^= 1
    await writer.write(file.key, bytes)
    await expect(c.restore(entry.path)).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
      message: expect.stringContaining(`file "${file.key}" fails its checksum in block ${Math.ceil(file.size / MiB) - 1} `) as unknown,
    })
    await c.close()
  })
})
