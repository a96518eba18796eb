/**
 * The model-based conformance test: random sequences of write/read/list/remove/stat (and conditional writes
 * where declared) run against the storage and against a `Map`, which must agree. `fast-check` is loaded
 * when the test runs, so the rest of ckpt/testing works without it.
 */
import type * as fc from 'fast-check'
import { compareKeys } from '../storage/keys.js'
import type { Capabilities, ObjectInfo, Storage } from '../storage/storage.js'
import { asyncChunks, inChunks, sameBytes } from './bytes.js'
import { expectFailure } from './expect-failure.js'
import type { Expect } from './test-api.js'

type FastCheck = typeof fc

interface Model {
  objects: Map<string, { bytes: Uint8Array; etag: string }>
}
/** The system under test, with the runner's `expect`. */
interface Real {
  readonly s: Storage
  readonly expect: Expect
}
type Cmd = fc.AsyncCommand<Model, Real>

const KEYS = ['a', 'b.bin', 'd/x', 'd/y', 'd/e/f', 'g/h/i', 'ü/ñ']
const PREFIXES = ['', 'a', 'd', 'd/', 'd/e/', 'g/h', 'ü', 'z']

const same = sameBytes

class WriteCmd implements Cmd {
  constructor(
    readonly key: string,
    readonly bytes: Uint8Array,
    readonly chunked: boolean,
  ) {}
  check = () => true
  async run(m: Model, { s, expect }: Real) {
    const info: ObjectInfo = await s.write(this.key, this.chunked ? asyncChunks(inChunks(this.bytes, [1, 3])) : this.bytes)
    expect(info.size).toBe(this.bytes.byteLength)
    m.objects.set(this.key, { bytes: this.bytes, etag: info.etag })
  }
  toString = () => `write(${this.key}, ${this.bytes.byteLength}B${this.chunked ? ', chunked' : ''})`
}

class ReadCmd implements Cmd {
  constructor(readonly key: string) {}
  check = () => true
  async run(m: Model, { s, expect }: Real) {
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
  async run(m: Model, { s, expect }: Real) {
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
  async run(m: Model, { s, expect }: Real) {
    const want = m.objects.get(this.key)
    expect(await s.stat(this.key)).toEqual(want === undefined ? null : { size: want.bytes.byteLength, etag: want.etag })
  }
  toString = () => `stat(${this.key})`
}

class ListCmd implements Cmd {
  constructor(readonly prefix: string) {}
  check = () => true
  async run(m: Model, { s, expect }: Real) {
    expect(await s.list(this.prefix)).toEqual([...m.objects.keys()].filter((k) => k.startsWith(this.prefix)).sort(compareKeys))
  }
  toString = () => `list(${JSON.stringify(this.prefix)})`
}

class RemoveCmd implements Cmd {
  constructor(readonly key: string) {}
  check = () => true
  async run(m: Model, { s }: Real) {
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
  async run(m: Model, { s }: Real) {
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
  async run(m: Model, { s }: Real) {
    const current = m.objects.get(this.key)
    if (current === undefined || this.stale) {
      await expectFailure(
        s.write(this.key, this.bytes, { ifMatch: current === undefined ? '"no-such-etag"' : `${current.etag}-stale` }),
        'PreconditionFailed',
      )
    } else {
      m.objects.set(this.key, { bytes: this.bytes, etag: (await s.write(this.key, this.bytes, { ifMatch: current.etag })).etag })
    }
  }
  toString = () => `replace(${this.key}, ${this.bytes.byteLength}B${this.stale ? ', stale etag' : ''})`
}

const commandsFor = (fc: FastCheck, caps: Capabilities) => {
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

/** Runs the model-based test `numRuns` times, each on a fresh storage from `make`. */
export const modelTest = async (make: () => Promise<Storage> | Storage, expect: Expect, numRuns: number): Promise<void> => {
  const fc = await loadFastCheck()
  const probe = await make()
  const caps = await probe.open()
  await probe.close()
  await fc.assert(
    fc.asyncProperty(commandsFor(fc, caps), async (cmds) => {
      const real = await make()
      try {
        await fc.asyncModelRun(() => ({ model: { objects: new Map() }, real: { s: real, expect } }), cmds)
      } finally {
        await real.close()
      }
    }),
    { numRuns },
  )
}

const loadFastCheck = async (): Promise<FastCheck> => {
  try {
    return await import('fast-check')
  } catch (e) {
    throw new Error(`the model-based storage conformance test needs fast-check: npm install --save-dev fast-check (${String(e)})`, {
      cause: e,
    })
  }
}
