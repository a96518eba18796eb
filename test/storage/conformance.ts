/**
 * The one conformance suite every storage adapter passes: call `conformance({ name, make })` inside a test
 * file; `make` returns a fresh, empty storage each time it is called.
 */
import { createHash, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StorageFailure, type StorageErrorTag } from '../../src/storage/errors.js'
import { compareKeys } from '../../src/storage/keys.js'
import type { ObjectInfo, Storage } from '../../src/storage/storage.js'

export interface ConformanceTarget {
  readonly name: string
  /** A fresh, empty storage. */
  readonly make: () => Promise<Storage> | Storage
  /** Size of the multi-chunk object. Default 17 MiB (over 16 MB). */
  readonly bigBytes?: number
  /** fast-check runs of the model-based test. Default 40. */
  readonly modelRuns?: number
  /** Why the server behind the adapter does not replace objects atomically (the concurrent-reader test is then skipped). */
  readonly notAtomicBecause?: string
  /** The largest `ifMatch` write the adapter can honour on this server; larger ones must be refused with `Unsupported`. Default: no limit. */
  readonly ifMatchLimit?: number
}

const MiB = 1024 * 1024

/** Awaits `p`, expecting a `StorageFailure` with `tag`; returns it. */
export const expectFailure = async (p: Promise<unknown>, tag: StorageErrorTag): Promise<StorageFailure> => {
  const outcome = await p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  if (outcome.ok) throw new Error(`expected a ${tag} failure, got success: ${JSON.stringify(outcome.value)?.slice(0, 200)}`)
  expect(outcome.error).toBeInstanceOf(StorageFailure)
  const failure = outcome.error as StorageFailure
  expect(failure._tag, failure.message).toBe(tag)
  expect(failure.error._tag).toBe(tag)
  return failure
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** `bytes` split into chunks of the given sizes (the last one takes the rest). */
export function* chunksOf(bytes: Uint8Array, sizes: ReadonlyArray<number>): Generator<Uint8Array> {
  let at = 0
  for (const size of sizes) {
    if (at >= bytes.byteLength) break
    yield bytes.subarray(at, at + size)
    at += size
  }
  if (at < bytes.byteLength) yield bytes.subarray(at)
}

export async function* asyncChunks(chunks: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const c of chunks) {
    await new Promise((r) => setImmediate(r))
    yield c
  }
}

const streamed = async (storage: Storage, key: string, range?: { start: number; end: number }): Promise<Uint8Array> => {
  const parts: Uint8Array[] = []
  for await (const c of await storage.readStream(key, range)) parts.push(c)
  return Buffer.concat(parts)
}

const INVALID_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['../escape', "'..'"],
  ['a/../../escape', "'..'"],
  ['./a', "'.'"],
  ['/etc/passwd', 'absolute'],
  ['a\\b', 'backslash'],
  ['..\\escape', 'backslash'],
  ['a\0b', 'NUL'],
  ['a//b', 'empty segment'],
  ['a/', 'empty segment'],
  ['', 'empty'],
  ['C:/x', 'drive letter'],
  ['x'.repeat(256), '256 bytes'],
  [`${'abcdefgh/'.repeat(114)}abcdefghi`, 'bytes long'],
  ['.ckpt~tmp.1.abcd', 'reserved'],
  ['a/.ckpt~probe/x', 'reserved'],
]

export const conformance = (target: ConformanceTarget): void => {
  const { make } = target
  const bigBytes = target.bigBytes ?? 17 * MiB

  describe(`storage conformance: ${target.name}`, () => {
    it('round-trips empty, 1-byte and small objects byte for byte, as bytes, iterables and async iterables', async () => {
      const s = await make()
      const cases: Array<[string, Uint8Array]> = [
        ['empty', new Uint8Array(0)],
        ['one', new Uint8Array([0xff])],
        ['small/random.bin', new Uint8Array(randomBytes(4099))],
        ['unicode/ключ ü.bin', new Uint8Array([0, 1, 2, 0])],
      ]
      for (const [key, bytes] of cases) {
        const info = await s.write(key, bytes)
        expect(info.size).toBe(bytes.byteLength)
        expect(Buffer.from(await s.read(key)).equals(Buffer.from(bytes))).toBe(true)
        expect(Buffer.from(await streamed(s, key)).equals(Buffer.from(bytes))).toBe(true)
        expect(await s.stat(key)).toEqual(info)
      }
      const bytes = new Uint8Array(randomBytes(1000))
      await s.write('sync-iterable', chunksOf(bytes, [1, 0, 300, 10]))
      expect(Buffer.from(await s.read('sync-iterable')).equals(Buffer.from(bytes))).toBe(true)
      await s.write('async-iterable', asyncChunks(chunksOf(bytes, [999])))
      expect(Buffer.from(await s.read('async-iterable')).equals(Buffer.from(bytes))).toBe(true)
      await s.write('no-chunks', [])
      expect((await s.read('no-chunks')).byteLength).toBe(0)
    })

    it(`round-trips a multi-chunk object of ${(bigBytes / MiB).toFixed(1)} MiB given as an async iterable, read whole, streamed and ranged`, async () => {
      const s = await make()
      const bytes = new Uint8Array(randomBytes(bigBytes))
      const sizes = [3 * MiB + 7, 1, 5 * MiB - 3, 4 * MiB, 2 * MiB + 11]
      const info = await s.write('big/object.bin', asyncChunks(chunksOf(bytes, sizes)))
      expect(info.size).toBe(bigBytes)
      expect(await s.stat('big/object.bin')).toEqual(info)
      const whole = await s.read('big/object.bin')
      expect(whole.byteLength).toBe(bigBytes)
      expect(sha(whole)).toBe(sha(bytes))
      expect(sha(await streamed(s, 'big/object.bin'))).toBe(sha(bytes))
      const mid = 8 * MiB
      const range = { start: mid - 13, end: mid + 29 }
      expect(Buffer.from(await s.read('big/object.bin', range)).equals(Buffer.from(bytes.subarray(range.start, range.end)))).toBe(true)
      expect(Buffer.from(await streamed(s, 'big/object.bin', range)).equals(Buffer.from(bytes.subarray(range.start, range.end)))).toBe(true)
    })

    it('overwrites: the new bytes replace the old, with a new etag', async () => {
      const s = await make()
      const first = await s.write('k', new Uint8Array([1, 2, 3]))
      const second = await s.write('k', new Uint8Array([4, 5]))
      expect(Array.from(await s.read('k'))).toEqual([4, 5])
      expect(second.etag).not.toBe(first.etag)
      expect(await s.stat('k')).toEqual({ size: 2, etag: second.etag })
      expect(await s.list()).toEqual(['k'])
    })

    it('lists all keys, or those starting with a prefix, in byte order', async () => {
      const s = await make()
      const keys = ['a', 'b/c', 'b/d/e', 'bc', 'x/y', 'ü/z', 'B']
      for (const key of keys) await s.write(key, new TextEncoder().encode(key))
      expect(await s.list()).toEqual([...keys].sort(compareKeys))
      expect(await s.list('')).toEqual([...keys].sort(compareKeys))
      expect(await s.list('b/')).toEqual(['b/c', 'b/d/e'])
      expect(await s.list('b')).toEqual(['b/c', 'b/d/e', 'bc'])
      expect(await s.list('b/d')).toEqual(['b/d/e'])
      expect(await s.list('nothing/')).toEqual([])
      expect(await s.list('a/')).toEqual([])
      await expectFailure(s.list('../'), 'InvalidKey')
      await expectFailure(s.list('/abs'), 'InvalidKey')
    })

    it('removes: a removed key is gone from read, stat and list; removing a missing key succeeds', async () => {
      const s = await make()
      await s.write('dir/a', new Uint8Array([1]))
      await s.write('dir/b', new Uint8Array([2]))
      await s.remove('dir/a')
      expect(await s.stat('dir/a')).toBeNull()
      await expectFailure(s.read('dir/a'), 'NotFound')
      expect(await s.list()).toEqual(['dir/b'])
      await s.remove('dir/a')
      await s.remove('never/was')
      await s.remove('dir/b')
      expect(await s.list()).toEqual([])
      await s.write('dir', new Uint8Array([3]))
      expect(Array.from(await s.read('dir'))).toEqual([3])
    })

    it('reports a missing key as NotFound from read and readStream, and as null from stat', async () => {
      const s = await make()
      const failure = await expectFailure(s.read('missing/key'), 'NotFound')
      expect(failure.key).toBe('missing/key')
      expect(failure.message).toContain('missing/key')
      await expectFailure(s.readStream('missing/key'), 'NotFound')
      await expectFailure(s.read('missing/key', { start: 0, end: 0 }), 'NotFound')
      expect(await s.stat('missing/key')).toBeNull()
    })

    it('rejects traversal and malformed keys with InvalidKey naming the key and the rule, touching nothing', async () => {
      const s = await make()
      await s.write('keep', new Uint8Array([7]))
      for (const [key, rule] of INVALID_KEYS) {
        const failures = [
          await expectFailure(s.write(key, new Uint8Array([1])), 'InvalidKey'),
          await expectFailure(s.read(key), 'InvalidKey'),
          await expectFailure(s.readStream(key), 'InvalidKey'),
          await expectFailure(s.stat(key), 'InvalidKey'),
          await expectFailure(s.remove(key), 'InvalidKey'),
        ]
        for (const f of failures) {
          expect(f.key).toBe(key)
          expect(f.message).toContain(JSON.stringify(key.length > 200 ? key.slice(0, 200) : key).slice(1, -1))
          expect(f.message.toLowerCase()).toContain(rule.toLowerCase())
        }
      }
      expect(await s.list()).toEqual(['keep'])
    })

    it('reads ranges: end clamped to the size, a start past the end reads nothing, bad ranges are refused', async () => {
      const s = await make()
      const bytes = new Uint8Array(Array.from({ length: 100 }, (_, i) => i))
      await s.write('r', bytes)
      const cases: Array<[number, number, number[]]> = [
        [0, 0, []],
        [0, 1, [0]],
        [10, 15, [10, 11, 12, 13, 14]],
        [97, 1000, [97, 98, 99]],
        [100, 200, []],
        [150, 160, []],
        [0, 100, Array.from(bytes)],
      ]
      for (const [start, end, expected] of cases) {
        expect(Array.from(await s.read('r', { start, end })), `${start}-${end}`).toEqual(expected)
        expect(Array.from(await streamed(s, 'r', { start, end })), `stream ${start}-${end}`).toEqual(expected)
      }
      for (const bad of [{ start: 5, end: 4 }, { start: -1, end: 3 }, { start: 0.5, end: 3 }]) {
        const f = await expectFailure(s.read('r', bad), 'Unsupported')
        expect(f.message).toContain('range')
      }
    })

    it('refuses data that is not bytes or chunks of bytes, leaving nothing behind', async () => {
      const s = await make()
      await expectFailure(s.write('x', 'text' as unknown as Uint8Array), 'Unsupported')
      await expectFailure(s.write('x', [new Uint8Array([1]), 'two' as unknown as Uint8Array]), 'Unsupported')
      expect(await s.list()).toEqual([])
      expect(await s.stat('x')).toBeNull()
    })

    it('keeps the previous object whole when the data source fails midway (no partial object visible)', async () => {
      const s = await make()
      await s.write('victim', new Uint8Array([1, 2, 3]))
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(6 * MiB).fill(9)
        yield new Uint8Array(6 * MiB).fill(8)
        throw new Error('producer broke')
      }
      const f = await expectFailure(s.write('victim', failing()), 'IOError')
      expect(f.message).toContain('producer broke')
      await expectFailure(s.write('fresh', failing()), 'IOError')
      expect(Array.from(await s.read('victim'))).toEqual([1, 2, 3])
      expect(await s.list()).toEqual(['victim'])
      expect(await s.stat('fresh')).toBeNull()
    })

    if (target.notAtomicBecause !== undefined) console.warn(`[storage] ${target.name}: skipping the concurrent-reader atomicity test: ${target.notAtomicBecause}`)
    it.skipIf(target.notAtomicBecause !== undefined)('is atomic for concurrent readers: every read sees one whole version', async () => {
      const s = await make()
      const size = 1 * MiB + 5
      const version = (v: number) => new Uint8Array(size).fill(v)
      await s.write('hot', version(1))
      let writing = true
      const writer = (async () => {
        for (let v = 2; v <= 6; v++) await s.write('hot', asyncChunks(chunksOf(version(v), [MiB / 4, MiB / 2])))
        writing = false
      })()
      const seen = new Set<number>()
      const reader = async () => {
        while (writing) {
          const got = await s.read('hot')
          expect(got.byteLength).toBe(size)
          expect(got.every((b) => b === got[0])).toBe(true)
          seen.add(got[0]!)
          // Yield to timers and I/O: memfs completes in microtasks, which would starve the writer.
          await new Promise((r) => setImmediate(r))
        }
      }
      await Promise.all([writer, reader(), reader()])
      expect(Array.from(await s.read('hot')).every((b) => b === 6)).toBe(true)
      expect(seen.size).toBeGreaterThanOrEqual(1)
      expect(await s.list()).toEqual(['hot'])
    })

    it('honours ifAbsent when declared (else refuses it with Unsupported, changing nothing)', async () => {
      const s = await make()
      const caps = await s.open()
      expect(s.capabilities).toEqual(caps)
      await s.write('exists', new Uint8Array([1]))
      if (caps.ifAbsent) {
        const created = await s.write('new', new Uint8Array([2]), { ifAbsent: true })
        expect(await s.stat('new')).toEqual(created)
        await expectFailure(s.write('exists', new Uint8Array([3]), { ifAbsent: true }), 'AlreadyExists')
        await expectFailure(s.write('exists', asyncChunks(chunksOf(new Uint8Array(6 * MiB).fill(4), [MiB])), { ifAbsent: true }), 'AlreadyExists')
        const racers = await Promise.allSettled([1, 2, 3, 4].map((v) => s.write('race', new Uint8Array([v]), { ifAbsent: true })))
        expect(racers.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
        for (const r of racers) if (r.status === 'rejected') expect((r.reason as StorageFailure)._tag).toBe('AlreadyExists')
      } else {
        await expectFailure(s.write('exists', new Uint8Array([3]), { ifAbsent: true }), 'Unsupported')
        await expectFailure(s.write('new', new Uint8Array([3]), { ifAbsent: true }), 'Unsupported')
        expect(await s.stat('new')).toBeNull()
      }
      expect(Array.from(await s.read('exists'))).toEqual([1])
    })

    it('honours ifMatch when declared (else refuses it with Unsupported, changing nothing)', async () => {
      const s = await make()
      const caps = await s.open()
      const v1 = await s.write('doc', new Uint8Array([1]))
      if (caps.ifMatch) {
        const v2 = await s.write('doc', new Uint8Array([2]), { ifMatch: v1.etag })
        expect(Array.from(await s.read('doc'))).toEqual([2])
        await expectFailure(s.write('doc', new Uint8Array([3]), { ifMatch: v1.etag }), 'PreconditionFailed')
        expect(Array.from(await s.read('doc'))).toEqual([2])
        await expectFailure(s.write('absent', new Uint8Array([3]), { ifMatch: v2.etag }), 'PreconditionFailed')
        expect(await s.stat('absent')).toBeNull()
        if (target.ifMatchLimit !== undefined && target.ifMatchLimit < 6 * MiB) {
          await expectFailure(s.write('doc', asyncChunks(chunksOf(new Uint8Array(6 * MiB).fill(3), [MiB])), { ifMatch: v2.etag }), 'Unsupported')
          expect(Array.from(await s.read('doc'))).toEqual([2])
          return
        }
        const v3 = await s.write('doc', asyncChunks(chunksOf(new Uint8Array(6 * MiB).fill(3), [MiB])), { ifMatch: v2.etag })
        expect(await s.stat('doc')).toEqual(v3)
        await expectFailure(s.write('doc', asyncChunks(chunksOf(new Uint8Array(6 * MiB).fill(4), [MiB])), { ifMatch: v2.etag }), 'PreconditionFailed')
        expect((await s.read('doc', { start: 0, end: 4 })).every((b) => b === 3)).toBe(true)
      } else {
        await expectFailure(s.write('doc', new Uint8Array([2]), { ifMatch: v1.etag }), 'Unsupported')
        expect(Array.from(await s.read('doc'))).toEqual([1])
      }
    })

    it('behaves like a Map under random write/read/list/remove/stat sequences (fc.commands + asyncModelRun)', async () => {
      const probe = await make()
      const caps = await probe.open()
      await probe.close()
      await fc.assert(
        fc.asyncProperty(commandsFor(caps), async (cmds) => {
          const real = await make()
          try {
            await fc.asyncModelRun(() => ({ model: { objects: new Map() }, real }), cmds)
          } finally {
            await real.close()
          }
        }),
        { numRuns: target.modelRuns ?? 40 },
      )
    })
  })
}

// ---- model-based test --------------------------------------------------------------------------------------

interface Model {
  objects: Map<string, { bytes: Uint8Array; etag: string }>
}
type Cmd = fc.AsyncCommand<Model, Storage>

const KEYS = ['a', 'b.bin', 'd/x', 'd/y', 'd/e/f', 'g/h/i', 'ü/ñ']
const PREFIXES = ['', 'a', 'd', 'd/', 'd/e/', 'g/h', 'ü', 'z']

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))

class WriteCmd implements Cmd {
  constructor(
    readonly key: string,
    readonly bytes: Uint8Array,
    readonly chunked: boolean,
  ) {}
  check = () => true
  async run(m: Model, s: Storage) {
    const info: ObjectInfo = await s.write(this.key, this.chunked ? asyncChunks(chunksOf(this.bytes, [1, 3])) : this.bytes)
    expect(info.size).toBe(this.bytes.byteLength)
    m.objects.set(this.key, { bytes: this.bytes, etag: info.etag })
  }
  toString = () => `write(${this.key}, ${this.bytes.byteLength}B${this.chunked ? ', chunked' : ''})`
}

class ReadCmd implements Cmd {
  constructor(readonly key: string) {}
  check = () => true
  async run(m: Model, s: Storage) {
    const want = m.objects.get(this.key)
    if (want === undefined) await expectFailure(s.read(this.key), 'NotFound')
    else expect(same(await s.read(this.key), want.bytes)).toBe(true)
  }
  toString = () => `read(${this.key})`
}

class RangeCmd implements Cmd {
  constructor(
    readonly key: string,
    readonly start: number,
    readonly length: number,
  ) {}
  check = () => true
  async run(m: Model, s: Storage) {
    const want = m.objects.get(this.key)
    const range = { start: this.start, end: this.start + this.length }
    if (want === undefined) await expectFailure(s.read(this.key, range), 'NotFound')
    else expect(Array.from(await s.read(this.key, range))).toEqual(Array.from(want.bytes.subarray(range.start, range.end)))
  }
  toString = () => `read(${this.key}, ${this.start}+${this.length})`
}

class StatCmd implements Cmd {
  constructor(readonly key: string) {}
  check = () => true
  async run(m: Model, s: Storage) {
    const want = m.objects.get(this.key)
    expect(await s.stat(this.key)).toEqual(want === undefined ? null : { size: want.bytes.byteLength, etag: want.etag })
  }
  toString = () => `stat(${this.key})`
}

class ListCmd implements Cmd {
  constructor(readonly prefix: string) {}
  check = () => true
  async run(m: Model, s: Storage) {
    expect(await s.list(this.prefix)).toEqual([...m.objects.keys()].filter((k) => k.startsWith(this.prefix)).sort(compareKeys))
  }
  toString = () => `list(${JSON.stringify(this.prefix)})`
}

class RemoveCmd implements Cmd {
  constructor(readonly key: string) {}
  check = () => true
  async run(m: Model, s: Storage) {
    await s.remove(this.key)
    m.objects.delete(this.key)
  }
  toString = () => `remove(${this.key})`
}

class CreateCmd implements Cmd {
  constructor(
    readonly key: string,
    readonly bytes: Uint8Array,
  ) {}
  check = () => true
  async run(m: Model, s: Storage) {
    if (m.objects.has(this.key)) await expectFailure(s.write(this.key, this.bytes, { ifAbsent: true }), 'AlreadyExists')
    else m.objects.set(this.key, { bytes: this.bytes, etag: (await s.write(this.key, this.bytes, { ifAbsent: true })).etag })
  }
  toString = () => `create(${this.key}, ${this.bytes.byteLength}B)`
}

class ReplaceCmd implements Cmd {
  constructor(
    readonly key: string,
    readonly bytes: Uint8Array,
    readonly stale: boolean,
  ) {}
  check = () => true
  async run(m: Model, s: Storage) {
    const current = m.objects.get(this.key)
    if (current === undefined || this.stale) {
      await expectFailure(s.write(this.key, this.bytes, { ifMatch: current === undefined ? '"no-such-etag"' : `${current.etag}-stale` }), 'PreconditionFailed')
    } else {
      m.objects.set(this.key, { bytes: this.bytes, etag: (await s.write(this.key, this.bytes, { ifMatch: current.etag })).etag })
    }
  }
  toString = () => `replace(${this.key}, ${this.bytes.byteLength}B${this.stale ? ', stale etag' : ''})`
}

const commandsFor = (caps: { ifAbsent: boolean; ifMatch: boolean }) => {
  const key = fc.constantFrom(...KEYS)
  const bytes = fc.uint8Array({ maxLength: 40 })
  const arbs: Array<fc.Arbitrary<Cmd>> = [
    fc.tuple(key, bytes, fc.boolean()).map(([k, b, c]) => new WriteCmd(k, b, c)),
    key.map((k) => new ReadCmd(k)),
    fc.tuple(key, fc.nat(45), fc.nat(45)).map(([k, s, l]) => new RangeCmd(k, s, l)),
    key.map((k) => new StatCmd(k)),
    fc.constantFrom(...PREFIXES).map((p) => new ListCmd(p)),
    key.map((k) => new RemoveCmd(k)),
  ]
  if (caps.ifAbsent) arbs.push(fc.tuple(key, bytes).map(([k, b]) => new CreateCmd(k, b)))
  if (caps.ifMatch) arbs.push(fc.tuple(key, bytes, fc.boolean()).map(([k, b, st]) => new ReplaceCmd(k, b, st)))
  return fc.commands(arbs, { maxCommands: 25 })
}
