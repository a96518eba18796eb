/**
 * The one conformance suite every storage adapter passes: call `conformance({ name, make }, { describe, it,
 * expect })` inside a test file; `make` returns a fresh, empty storage each time it is called. The test
 * runner's API is a parameter, so this module imports none; the model-based test loads `fast-check`
 * (an optional peer dependency) when it runs.
 */
import { nextTurn } from '#platform/next-turn.js'
import type { StorageFailure } from '../storage/errors.js'
import { concatChunks } from '../storage/data.js'
import { compareKeys } from '../storage/keys.js'
import type { Storage } from '../storage/storage.js'
import { asyncChunks, inChunks, randomBytes, sameBytes } from './bytes.js'
import { expectFailure } from './expect-failure.js'
import { modelTest } from './model.js'
import type { TestApi } from './test-api.js'

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
  /**
   * The largest `ifMatch` write the adapter can honour on this server; larger ones must be refused with `Unsupported`.
   * Default: no limit.
   */
  readonly ifMatchLimit?: number
}

const MiB = 1024 * 1024

const streamed = async (storage: Storage, key: string, range?: { start: number; end: number }): Promise<Uint8Array> => {
  const parts: Uint8Array[] = []
  for await (const c of await storage.readStream(key, range)) parts.push(c)
  return concatChunks(parts)
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
  ['ck-\ud800.bin', 'lone surrogate'],
  ['ck-\udbff.bin', 'lone surrogate'],
  ['ck-\udc00x.bin', 'lone surrogate'],
  ['a/\ud800', 'lone surrogate'],
  ['a\nb', 'U+000A'],
  ['a\rb', 'U+000D'],
  ['a\u0001b', 'U+0001'],
  ['a\tb', 'U+0009'],
  ['a\u001b[31mred', 'U+001B'],
  ['a\u001fb', 'U+001F'],
  ['a\u007fb', 'U+007F'],
]

export const conformance = (target: ConformanceTarget, test: TestApi): void => {
  const { describe, it, expect } = test
  const { make } = target
  const bigBytes = target.bigBytes ?? 17 * MiB

  describe(`storage conformance: ${target.name}`, () => {
    it('round-trips empty, 1-byte and small objects byte for byte, as bytes, iterables and async iterables', async () => {
      const s = await make()
      const cases: Array<[string, Uint8Array]> = [
        ['empty', new Uint8Array(0)],
        ['one', new Uint8Array([0xff])],
        ['small/random.bin', randomBytes(4099)],
        ['unicode/ключ ü.bin', new Uint8Array([0, 1, 2, 0])],
      ]
      for (const [key, bytes] of cases) {
        const info = await s.write(key, bytes)
        expect(info.size).toBe(bytes.byteLength)
        expect(sameBytes(await s.read(key), bytes)).toBe(true)
        expect(sameBytes(await streamed(s, key), bytes)).toBe(true)
        expect(await s.stat(key)).toEqual(info)
      }
      const bytes = randomBytes(1000)
      await s.write('sync-iterable', inChunks(bytes, [1, 0, 300, 10]))
      expect(sameBytes(await s.read('sync-iterable'), bytes)).toBe(true)
      await s.write('async-iterable', asyncChunks(inChunks(bytes, [999])))
      expect(sameBytes(await s.read('async-iterable'), bytes)).toBe(true)
      await s.write('no-chunks', [])
      expect((await s.read('no-chunks')).byteLength).toBe(0)
    })

    it(`round-trips a multi-chunk object of ${(bigBytes / MiB).toFixed(1)} MiB given as an async iterable, read whole, streamed and ranged`, async () => {
      const s = await make()
      const bytes = randomBytes(bigBytes)
      const sizes = [3 * MiB + 7, 1, 5 * MiB - 3, 4 * MiB, 2 * MiB + 11]
      const info = await s.write('big/object.bin', asyncChunks(inChunks(bytes, sizes)))
      expect(info.size).toBe(bigBytes)
      expect(await s.stat('big/object.bin')).toEqual(info)
      const whole = await s.read('big/object.bin')
      expect(whole.byteLength).toBe(bigBytes)
      expect(sameBytes(whole, bytes)).toBe(true)
      expect(sameBytes(await streamed(s, 'big/object.bin'), bytes)).toBe(true)
      const mid = 8 * MiB
      const range = { start: mid - 13, end: mid + 29 }
      expect(sameBytes(await s.read('big/object.bin', range), bytes.subarray(range.start, range.end))).toBe(true)
      expect(sameBytes(await streamed(s, 'big/object.bin', range), bytes.subarray(range.start, range.end))).toBe(true)
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
      for (const bad of [
        { start: 5, end: 4 },
        { start: -1, end: 3 },
        { start: 0.5, end: 3 },
      ]) {
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
      // eslint-disable-next-line @typescript-eslint/require-await -- an async source that fails midway is the point; nothing to await
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

    if (target.notAtomicBecause !== undefined)
      console.warn(`[storage] ${target.name}: skipping the concurrent-reader atomicity test: ${target.notAtomicBecause}`)
    ;(target.notAtomicBecause !== undefined ? it.skip : it)(
      'is atomic for concurrent readers: every read sees one whole version',
      async () => {
        const s = await make()
        const size = 1 * MiB + 5
        const version = (v: number) => new Uint8Array(size).fill(v)
        await s.write('hot', version(1))
        let writing = true
        const writer = (async () => {
          for (let v = 2; v <= 6; v++) await s.write('hot', asyncChunks(inChunks(version(v), [MiB / 4, MiB / 2])))
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
            await nextTurn()
          }
        }
        await Promise.all([writer, reader(), reader()])
        expect(Array.from(await s.read('hot')).every((b) => b === 6)).toBe(true)
        expect(seen.size).toBeGreaterThanOrEqual(1)
        expect(await s.list()).toEqual(['hot'])
      },
    )

    it('honours ifAbsent when declared (else refuses it with Unsupported, changing nothing)', async () => {
      const s = await make()
      const caps = await s.open()
      expect(s.capabilities).toEqual(caps)
      await s.write('exists', new Uint8Array([1]))
      if (caps.ifAbsent) {
        const created = await s.write('new', new Uint8Array([2]), { ifAbsent: true })
        expect(await s.stat('new')).toEqual(created)
        await expectFailure(s.write('exists', new Uint8Array([3]), { ifAbsent: true }), 'AlreadyExists')
        await expectFailure(
          s.write('exists', asyncChunks(inChunks(new Uint8Array(6 * MiB).fill(4), [MiB])), { ifAbsent: true }),
          'AlreadyExists',
        )
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
          await expectFailure(
            s.write('doc', asyncChunks(inChunks(new Uint8Array(6 * MiB).fill(3), [MiB])), { ifMatch: v2.etag }),
            'Unsupported',
          )
          expect(Array.from(await s.read('doc'))).toEqual([2])
          return
        }
        const v3 = await s.write('doc', asyncChunks(inChunks(new Uint8Array(6 * MiB).fill(3), [MiB])), { ifMatch: v2.etag })
        expect(await s.stat('doc')).toEqual(v3)
        await expectFailure(
          s.write('doc', asyncChunks(inChunks(new Uint8Array(6 * MiB).fill(4), [MiB])), { ifMatch: v2.etag }),
          'PreconditionFailed',
        )
        expect((await s.read('doc', { start: 0, end: 4 })).every((b) => b === 3)).toBe(true)
      } else {
        await expectFailure(s.write('doc', new Uint8Array([2]), { ifMatch: v1.etag }), 'Unsupported')
        expect(Array.from(await s.read('doc'))).toEqual([1])
      }
    })

    it('behaves like a Map under random write/read/list/remove/stat sequences (fc.commands + asyncModelRun)', async () => {
      await modelTest(make, expect, target.modelRuns ?? 40)
    })
  })
}
