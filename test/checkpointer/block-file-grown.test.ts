// A file with block checksums that grew after the save (bytes appended, or replaced by a longer file with the same
// start) is not the file ckpt wrote: a whole restore, readFile and a ranged read reaching its last block say so, as
// the streamed read of a file with one SHA-256 does ("has more than N bytes"). On fs and on S3 (moto_server), where a
// read past the end of an object is a 416.
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyingReader } from '../../src/checkpointer/artifact-reader.js'
import { isBlockRecord } from '../../src/checkpointer/index-file.js'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { s3Storage } from '../../src/storage/s3.js'
import type { Storage } from '../../src/storage/storage.js'
import type { Tensors } from '../../src/tensors/index.js'
import { motoMissing, startMoto, storageOptions, type S3Server } from '../storage/servers.js'
import { quiet, tempDir } from './support.js'

const PATH = 'm/e1.safetensors'
const options = { filepath: 'm/e{epoch}.safetensors', monitor: 'loss', ...quiet } as const

/** About 3 MiB in two tensors: more than one block. */
const model = (): Tensors => ({
  a: { dtype: 'F32', shape: [512 * 1024], data: Float32Array.from({ length: 512 * 1024 }, (_, i) => i) },
  b: { dtype: 'F32', shape: [256 * 1024], data: Float32Array.from({ length: 256 * 1024 }, (_, i) => -i) },
})

interface Place {
  readonly storage: () => Storage
  readonly append: (key: string, extra: Uint8Array) => Promise<void>
  readonly stop: () => Promise<void>
}

const moto = motoMissing()
if (moto !== null) console.warn(`[checkpointer] the grown block file on S3 is skipped: ${moto}`)

describe.each([
  [
    'fs',
    async (): Promise<Place> => {
      const { dir, cleanup } = tempDir('ckpt-grown-')
      return {
        storage: () => fsStorage(dir),
        append: async (key, extra) => appendFileSync(join(dir, key), extra),
        stop: async () => cleanup(),
      }
    },
  ],
  [
    'S3 on moto_server',
    async (): Promise<Place> => {
      const server: S3Server = await startMoto()
      const opts = storageOptions(server)
      const storage = () => s3Storage(opts)
      return {
        storage,
        append: async (key, extra) => {
          const s = storage()
          const bytes = await s.read(key)
          await s.write(key, Buffer.concat([bytes, extra]))
        },
        stop: () => server.stop(),
      }
    },
  ],
])('a file with block checksums grown after the save, on %s', (name, make) => {
  const skip = name.startsWith('S3') && moto !== null
  let place: Place
  beforeAll(async () => {
    if (skip) return
    place = await make()
    const writer = await createCheckpointer({ storage: place.storage(), ...options })
    await writer.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, model())
    await writer.close()
  }, 60_000)
  afterAll(async () => {
    if (!skip) await place.stop()
  })

  it.skipIf(skip)('restores before; after, a whole restore, readFile and a ranged read of its end are CorruptCheckpoint', async () => {
    const ckpt = await createCheckpointer({ storage: place.storage(), ...options })
    const [entry] = await ckpt.list()
    const record = entry!.files.find((f) => f.key === PATH)!
    expect(isBlockRecord(record)).toBe(true)
    expect(Object.keys((await ckpt.restore(PATH)).value).sort()).toEqual(['a', 'b'])

    await place.append(PATH, new Uint8Array(100).fill(7))
    const grown = { _tag: 'CorruptCheckpoint', message: expect.stringContaining(`has more than ${record.size} bytes`) as unknown }
    // Settled to a short value: a failing assertion then prints no tensors.
    const failure = <A>(p: Promise<A>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => e,
      )
    expect(await failure(ckpt.restore(PATH))).toMatchObject(grown)
    const reader = verifyingReader(place.storage(), entry!)
    expect(await failure(reader.readFile(PATH))).toMatchObject(grown)
    expect(await failure(reader.readRange(PATH, record.size - 10, record.size))).toMatchObject(grown)
    // A range that does not reach the last block reads nothing past it, and its bytes still match.
    expect((await reader.readRange(PATH, 100, 200)).byteLength).toBe(100)
    await ckpt.close()
  })
})
