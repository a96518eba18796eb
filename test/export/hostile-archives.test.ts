import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/checkpointer.js'
import { encodeIndex, emptyIndex, type Entry } from '../../src/checkpointer/index-file.js'
import { exportRun, importCheckpoints } from '../../src/checkpointer/export/index.js'
import { endOfArchive, memberHeader, padded, TAR_BLOCK } from '../../src/checkpointer/export/tar-header.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { bytesOf, concat, quiet, trainRun, weightsAt } from './support.js'

/** Every key of `storage` and its bytes. */
const contents = async (storage: Storage): Promise<Map<string, string>> => {
  const out = new Map<string, string>()
  for (const k of await storage.list()) out.set(k, Buffer.from(await storage.read(k)).toString('base64'))
  return out
}

/** A target holding a run of its own, and what it held. */
const target = async () => {
  const storage = memoryStorage()
  await trainRun(storage, 2, { filepath: 'mine/e{epoch:03d}.safetensors' })
  return { storage, before: await contents(storage) }
}

/** The import is refused with a typed error within `ms`, and the target is as it was, its checkpoints restoring. */
const refused = async (archive: Uint8Array | AsyncIterable<Uint8Array>, ms = 10_000): Promise<CkptError> => {
  const { storage, before } = await target()
  const started = performance.now()
  const e = await importCheckpoints(storage, archive, quiet).then(
    () => null,
    (x: unknown) => x,
  )
  expect(performance.now() - started).toBeLessThan(ms)
  expect(CkptError.is(e), String(e)).toBe(true)
  expect(await contents(storage)).toEqual(before)
  const ckpt = await createCheckpointer({ storage, filepath: 'mine/e{epoch:03d}.safetensors', monitor: 'loss', ...quiet })
  expect((await ckpt.list()).map((c) => c.path)).toEqual(['mine/e001.safetensors', 'mine/e002.safetensors'])
  expect((await ckpt.restore()).value).toEqual(weightsAt(1))
  await ckpt.close()
  return e as CkptError
}

/** A tar member: its header, data and padding. */
const member = (name: string, data: Uint8Array): Uint8Array =>
  concat(memberHeader(name, data.byteLength, 0), data, new Uint8Array(padded(data.byteLength) - data.byteLength))

/** A header block's type changed (a symlink, a folder…), its checksum made right again. */
const retyped = (header: Uint8Array, typeflag: string): Uint8Array => {
  const h = header.slice()
  h[156] = typeflag.charCodeAt(0)
  h.fill(0x20, 148, 156)
  const sum = h.reduce((n, b) => n + b, 0)
  h.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148)
  return h
}

let valid: Uint8Array
let entries: ReadonlyArray<Entry>
beforeAll(async () => {
  const source = memoryStorage()
  // Two checkpoints, one of several 1 MiB blocks: whole-file and block checksums both checked.
  await trainRun(source, 1, {}, 300_000)
  await trainRun(source, 2, { filepath: 'ckpt/small{epoch:03d}.safetensors' })
  const run = await exportRun(source)
  entries = run.checkpoints
  valid = await bytesOf(run)
})

const manifestWith = (checkpoints: ReadonlyArray<unknown>) =>
  member('ckpt-export.json', encodeIndex({ ...emptyIndex(null), checkpoints: checkpoints as Entry[] }))

describe('hostile archives: always a typed error, in bounded time, the target intact', () => {
  it('the valid archive imports (the baseline the properties break)', async () => {
    const { storage } = await target()
    expect((await importCheckpoints(storage, valid, quiet)).imported).toHaveLength(3)
  })

  it('truncated anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: valid.byteLength - 1 }), fc.boolean(), async (cut, asStream) => {
        const bytes = valid.subarray(0, cut)
        // As bytes (length known: refused before writing) and as a stream (found at the cut).
        const e = await refused(
          asStream
            ? (async function* () {
                yield bytes
              })()
            : bytes,
        )
        expect(e._tag).toBe('InvalidArchive')
      }),
      { numRuns: 60 },
    )
  })

  it('bytes changed anywhere: refused with a typed error, or (in padding) imported with every file verified', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: valid.byteLength - 1 }), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (flips) => {
          const bytes = valid.slice()
          for (const [at, x] of flips) bytes[at]! ^= x
          const { storage, before } = await target()
          const outcome = await importCheckpoints(storage, bytes, quiet).then(
            (r) => r,
            (e: unknown) => e,
          )
          if (CkptError.is(outcome)) {
            expect(await contents(storage)).toEqual(before)
            return
          }
          expect(outcome).toMatchObject({ imported: entries })
          const ckpt = await createCheckpointer({ storage, filepath: 'x/{epoch}.safetensors', ...quiet })
          for (const e of entries) expect((await ckpt.restore(e.path)).entry).toEqual(e)
          await ckpt.close()
        },
      ),
      { numRuns: 60 },
    )
  })

  it('a wrong checksum names the file and the checksum', async () => {
    const bytes = valid.slice()
    bytes[bytes.byteLength - 1024 - 600]! ^= 1 // in the data of the last member
    const e = await refused(bytes)
    expect(e.error).toMatchObject({ _tag: 'InvalidArchive', field: expect.stringMatching(/^data of "ckpt\/small002.safetensors"/) })
    expect(e.message).toMatch(/fails its checksum/)
  })

  it.each([
    ['a parent segment', '../x.safetensors'],
    ['an absolute path', '/etc/x.safetensors'],
    ["ckpt's index", 'ckpt-index.json'],
    ['an index segment', 'ckpt-index.d/1-0123abcd.json'],
    ['the writer lock', 'ckpt-writer.lock'],
    ['a block list', `ckpt-blocks/${'0'.repeat(64)}`],
    ["an adapter's temp file", 'a/.ckpt~tmp'],
    ['a backslash', 'a\\..\\x'],
  ])('a manifest naming %s is refused before anything is written', async (_what, key) => {
    const entry = { ...entries[1]!, path: key, files: [{ ...entries[1]!.files[0]!, key }] }
    const e = await refused(concat(manifestWith([entry]), member(key, new Uint8Array(entry.files[0]!.size)), endOfArchive()))
    expect(e.error).toMatchObject({ _tag: 'InvalidArchive', field: 'ckpt-export.json' })
  })

  it("a manifest listing a path twice, a file in two checkpoints, or a block list that is not its file's", async () => {
    const [big, small] = [entries[0]!, entries[1]!]
    const list = big.files.find((f) => f.key.startsWith('ckpt-blocks/'))!
    for (const [checkpoints, why] of [
      [[small, small], 'a checkpoint path listed twice'],
      [[small, { ...entries[2]!, files: small.files }], `a file of both "${small.path}" and "${entries[2]!.path}"`],
      [[{ ...big, files: big.files.filter((f) => f !== list) }], 'a file recorded by blocks has no block list record'],
      [
        [{ ...big, files: big.files.map((f) => (f === list ? { ...f, size: f.size + 32 } : f)) }],
        'is not the block list of one of its files',
      ],
    ] as const) {
      const e = await refused(concat(manifestWith(checkpoints), endOfArchive()))
      expect(e.error).toMatchObject({ _tag: 'InvalidArchive', field: 'ckpt-export.json' })
      expect(e.message).toContain(why)
    }
  })

  it('a member named otherwise than the manifest lists next (../x, an absolute path) is refused by name', async () => {
    for (const name of ['../x', '/abs/x', 'ckpt-index.json']) {
      const bytes = concat(manifestWith([entries[1]]), member(name, new Uint8Array(entries[1]!.files[0]!.size)), endOfArchive())
      const e = await refused(bytes)
      expect(e.error).toMatchObject({ _tag: 'InvalidArchive', field: 'member name', value: JSON.stringify(name) })
      expect(e.message).toContain(`expected "${entries[1]!.path}"`)
    }
  })

  it('links, folders and devices are refused by their type', async () => {
    const size = entries[1]!.files[0]!.size
    for (const flag of ['1', '2', '3', '5', '6', 'g', 'L']) {
      const m = member(entries[1]!.path, new Uint8Array(size))
      const bytes = concat(manifestWith([entries[1]]), retyped(m.subarray(0, TAR_BLOCK), flag), m.subarray(TAR_BLOCK), endOfArchive())
      const e = await refused(bytes)
      expect(e.error).toMatchObject({ _tag: 'InvalidArchive', field: 'typeflag', value: JSON.stringify(flag) })
    }
  })

  it('absurd sizes: a manifest listing 4 PiB, a member claiming it, a huge pax header, a huge manifest', async () => {
    const huge = 2 ** 52
    const entry = { ...entries[1]!, files: [{ ...entries[1]!.files[0]!, size: huge }] }
    expect((await refused(concat(manifestWith([entry]), endOfArchive()))).error).toMatchObject({ field: 'archive length' })
    // The same as a stream: the member's header is refused by size, as it does not match.
    const claimed = concat(manifestWith([entries[1]]), memberHeader(entries[1]!.path, huge, 0), new Uint8Array(4096))
    expect(
      (
        await refused(
          (async function* () {
            yield claimed
          })(),
        )
      ).error,
    ).toMatchObject({ field: `size of "${entries[1]!.path}"` })
    // The manifest as a stream declaring 4 PiB, and pax headers of 1 GiB: refused from the header alone.
    const manifest = memberHeader('ckpt-export.json', huge, 0)
    expect(
      (
        await refused(
          (async function* () {
            yield manifest
          })(),
        )
      ).error,
    ).toMatchObject({ field: 'size of ckpt-export.json' })
    const pax = retyped(memberHeader('p', 2 ** 30, 0), 'x')
    expect(
      (
        await refused(
          (async function* () {
            yield pax
          })(),
        )
      ).error,
    ).toMatchObject({ field: 'pax header size' })
  })

  it('an extra member, a missing end, a wrong first member, garbage, and chunks that are not bytes', async () => {
    const end = valid.byteLength - 2 * TAR_BLOCK
    const extra = concat(valid.subarray(0, end), member('extra.bin', new Uint8Array(3)), endOfArchive())
    expect((await refused(extra)).error).toMatchObject({ field: 'member', value: '"extra.bin"' })
    expect((await refused(valid.subarray(0, end + TAR_BLOCK))).error).toMatchObject({ _tag: 'InvalidArchive' })
    expect((await refused(concat(member('model.safetensors', new Uint8Array(8)), endOfArchive()))).error).toMatchObject({
      field: 'first member',
    })
    expect((await refused(new TextEncoder().encode('PK\u0003\u0004 not a tar'.padEnd(2000, '!')))).error).toMatchObject({
      field: 'header checksum',
    })
    expect((await refused(new Uint8Array(0))).error).toMatchObject({ _tag: 'InvalidArchive' })
    const strings = (async function* () {
      yield 'not bytes'
    })() as unknown as AsyncIterable<Uint8Array>
    expect((await refused(strings)).error).toMatchObject({ field: 'chunk', value: '"[object String]"' })
  })

  it('a failing fetch is refused by its status', async () => {
    const e = await refused(new Response('no', { status: 404, statusText: 'Not Found' }) as never)
    expect(e.error).toMatchObject({ field: 'response status', value: '"404 Not Found"' })
  })

  it('a source that fails mid-stream: its error, the target intact', async () => {
    const failing = (async function* () {
      yield valid.subarray(0, valid.byteLength - 5000)
      throw new Error('the network went away')
    })()
    const { storage, before } = await target()
    await expect(importCheckpoints(storage, failing, quiet)).rejects.toThrow('the network went away')
    expect(await contents(storage)).toEqual(before)
  })
})
