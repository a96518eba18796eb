// The law of ckpt, as a model-based property test: under random saves (epoch and batch level), overwrites,
// retention, restarts, injected faults at any file-system call and kills, every save that returned stays listed,
// verifies and restores byte for byte, unless a retention rule removed it or a later save replaced its path; and
// nothing ckpt did not write is ever deleted. It runs for each serializer ckpt ships (see law-formats.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { Volume } from 'memfs'
import { describe, expect, it } from 'vitest'
import { entryRecord, restorableEntries } from '../../src/checkpointer/entries.js'
import { createCheckpointer, loadIndex, type Checkpointer, type CheckpointerOptions, type Entry } from '../../src/checkpointer/index.js'
import { verifyEntry } from '../../src/checkpointer/index.js'
import { readFirstValid } from '../../src/checkpointer/verified-read.js'
import { retain, type CheckpointRecord, type RetentionOptions } from '../../src/policy/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { FsModule } from '../../src/storage/fs/fs-module.js'
import type { ByteRange, Storage } from '../../src/storage/storage.js'
import { FS_OPS, fsFaults, type FsFault } from '../../src/testing/index.js'
import { LAW_FORMATS, type LawFormat } from './law-formats.js'

type Step =
  | { readonly kind: 'save'; readonly batch: number | null; readonly loss: number; readonly fault: FsFault | null }
  | { readonly kind: 'restart' }

interface Config {
  readonly filepath: string
  readonly saveFreq: 'epoch' | number
  readonly retention: RetentionOptions
  readonly saveBestOnly: boolean
  readonly async: boolean
}

/** One acknowledged save: what the model expects to find. */
interface Acked {
  readonly path: string
  readonly time: number
  readonly record: CheckpointRecord
  /** The seed of its snapshot (the save's time). */
  readonly seed: number
}

const USER_FILES: ReadonlyArray<readonly [string, string]> = [
  ['notes.txt', 'the user wrote this'],
  ['other-run/weights.bin', 'another run'],
]

const configs = (format: LawFormat): fc.Arbitrary<Config> =>
  fc
    .record({
      freqAndPath: fc.oneof(
        fc.record({
          saveFreq: fc.constant<'epoch' | number>('epoch'),
          filepath: fc.constantFrom(...format.epochPaths),
        }),
        fc.record({
          saveFreq: fc.integer({ min: 1, max: 2 }),
          filepath: fc.constantFrom(...format.batchPaths),
        }),
      ),
      retention: fc.oneof(
        fc.constant({}),
        fc.integer({ min: 1, max: 3 }).map((maxToKeep) => ({ maxToKeep })),
        fc.integer({ min: 1, max: 2 }).map((saveTopK) => ({ saveTopK })),
        fc.constant({ keepPeriod: 2 }),
      ),
      saveBestOnly: fc.boolean(),
      async: fc.boolean(),
    })
    .map(({ freqAndPath, ...rest }) => ({ ...freqAndPath, ...rest }))

const faults: fc.Arbitrary<FsFault | null> = fc.option(
  fc.record({ op: fc.constantFrom(...FS_OPS), nth: fc.integer({ min: 1, max: 6 }), crash: fc.boolean() }),
  { freq: 3 },
)

const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('save' as const),
        batch: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 3 }),
        loss: fc.constantFrom(0.5, 0.4, 0.3, 0.45, 0.2, NaN),
        fault: faults,
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  ),
  { minLength: 1, maxLength: 10 },
)

/** A fresh storage over the same objects: a new process on the same folder (or memfs volume). */
type Place = { readonly open: (wrapFs?: (fs: FsModule) => FsModule) => Storage; readonly cleanup: () => void }

const places: Record<'memory' | 'fs', () => Place> = {
  memory: () => {
    const volume = new Volume()
    return { open: (wrapFs) => memoryStorage({ volume, staleTempAfterMs: 0, ...(wrapFs ? { wrapFs } : {}) }), cleanup: () => {} }
  },
  fs: () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-law-'))
    return {
      open: (wrapFs) => fsStorage(dir, { staleTempAfterMs: 0, fsync: false, ...(wrapFs ? { wrapFs } : {}) }),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    }
  },
}

const run = async (format: LawFormat, where: 'memory' | 'fs', config: Config, plan: ReadonlyArray<Step>): Promise<void> => {
  const place = places[where]()
  const serializer = format.serializer()
  try {
    const observer = place.open()
    for (const [k, v] of USER_FILES) await observer.write(k, new TextEncoder().encode(v))
    const options: CheckpointerOptions<unknown, unknown> = {
      storage: observer,
      serializer,
      filepath: config.filepath,
      monitor: 'loss',
      saveFreq: config.saveFreq,
      saveBestOnly: config.saveBestOnly,
      async: config.async,
      ...config.retention,
      log: () => {},
    }
    let model: Acked[] = []
    let ckpt: Checkpointer<unknown, unknown> | null = null
    let time = 1_000
    let epoch = 0
    const ranking = { monitor: 'loss', mode: 'min' as const }

    /** Applies a committed save to the model as the Checkpointer does: the new entry, then retention. */
    const commit = (added: Acked) => {
      const before = model.filter((m) => m.path !== added.path)
      const { remove } = retain(
        config.retention,
        ranking,
        before.map((m) => m.record),
        added.record,
      )
      const removed = new Set(remove.map((r) => r.path))
      model = [...before.filter((m) => !removed.has(m.path)), added]
    }
    /**
     * Adopts what the index holds that the model does not know: a save that failed after its commit point (say,
     * the folder fsync after the index's rename) is committed all the same, with its retention.
     */
    const sync = async () => {
      const loaded = await loadIndex(place.open())
      const live = loaded === null ? [] : restorableEntries(loaded.doc)
      for (const e of live)
        if (!model.some((m) => m.path === e.path && m.time === e.time) && model.every((m) => m.time < e.time))
          commit({ path: e.path, time: e.time, record: entryRecord(e), seed: e.time })
    }
    /** The law, checked read-only on a fresh storage: every acknowledged save is there and restores exactly. */
    const check = async (when: string) => {
      const reader = place.open()
      const loaded = await loadIndex(reader)
      const live: Entry[] = loaded === null ? [] : restorableEntries(loaded.doc)
      const scanned = await serializer.scan!(reader)
      for (const [at, m] of model.entries()) {
        const e = live.find((x) => x.path === m.path && x.time === m.time)
        const intact = e !== undefined && (await verifyEntry(reader, e)) === null
        if (!intact) {
          // Allowed only when a later save to the same path (one that failed after writing its file) replaced it
          // in place: its complete artifact is there, and the next open adopts it.
          const newer = scanned.find((x) => x.path === m.path && x.meta.time >= m.time)
          expect(
            newer,
            `${when}: acknowledged save ${m.path}@${m.time} is listed and verifies, or a later save replaced its path`,
          ).toBeDefined()
          const files = newer!.files
          const unverified = {
            files,
            readFile: (k: string) => reader.read(k),
            readFileStream: async <A>(k: string, consume: (chunks: AsyncIterable<Uint8Array>, size: number) => Promise<A>) =>
              consume(await reader.readStream(k), files.find((f) => f.key === k)!.size),
            readRanges: (k: string, ranges: ReadonlyArray<ByteRange>) => Promise.all(ranges.map((r) => reader.read(k, r))),
            readRange: (k: string, start: number, end: number) => reader.read(k, { start, end }),
          }
          const value = await serializer.read(unverified, m.path)
          expect(await format.canon(value), `${when}: ${m.path} holds the later save`).toEqual(await format.expected(newer!.meta.time))
          const t = newer!.meta
          model[at] = {
            ...m,
            time: t.time,
            seed: t.time,
            record: { ...m.record, epoch: t.epoch, metrics: t.metrics, score: t.score, time: t.time },
          }
          continue
        }
        const read = await readFirstValid(reader, [e], (r, x) => serializer.read(r, x.path))
        expect(await format.canon(read.value), `${when}: ${m.path} restores byte for byte`).toEqual(await format.expected(m.seed))
      }
      // A save adopted in place of an older one takes its own place in save order, as the index puts it.
      model.sort((a, b) => a.time - b.time)
      for (const [k, v] of USER_FILES) expect(new TextDecoder().decode(await reader.read(k)), `${when}: ${k} intact`).toBe(v)
    }
    const open = async (fault: FsFault | null) => {
      const f = fsFaults(fault ?? [], { armed: false })
      const storage = place.open(f.wrap)
      const c = await createCheckpointer({ ...options, storage })
      f.arm()
      return c
    }

    for (const [i, step] of plan.entries()) {
      if (step.kind === 'restart' || ckpt === null) {
        // A restart: the old Checkpointer is never closed. (A killed one's storage fails every call already; a
        // live one finishes its background work first, as a process does before it exits.)
        await ckpt?.flush().catch(() => undefined)
        ckpt = await open(null)
        await sync()
        await check(`step ${i} (open)`)
        if (step.kind === 'restart') continue
      }
      if (step.fault !== null) {
        await ckpt.flush().catch(() => undefined)
        ckpt = await open(step.fault)
      }
      await sync()
      const source = format.source(++time)
      const event = { epoch, logs: { loss: step.loss }, time }
      if (step.batch === null) epoch++
      const outcome = await (
        step.batch === null ? ckpt.onEpochEnd(event, source) : ckpt.onBatchEnd({ ...event, batch: step.batch }, source)
      )
        .then(async (o) => {
          await ckpt!.flush()
          return o
        })
        .catch(() => null)
      if (outcome === null) {
        // A failed save (or a crash): the process may go on, but a crashed one must restart.
        if (step.fault?.crash === true) ckpt = null
      } else if (outcome.saved && outcome.path !== null) {
        commit({
          path: outcome.path,
          time,
          record: { path: outcome.path, epoch: event.epoch, step: 0, metrics: event.logs, time, score: step.loss },
          seed: time,
        })
      }
      await sync()
      await check(`step ${i}`)
    }
    const final = await createCheckpointer({ ...options, storage: place.open() })
    const listed = await final.list()
    for (const m of model) {
      const e = listed.find((x) => x.path === m.path && x.time === m.time)
      expect(e, `end: ${m.path}@${m.time} is listed after reopening`).toBeDefined()
      expect(await format.canon((await final.restore(m.path)).value), `end: ${m.path} restores byte for byte`).toEqual(
        await format.expected(m.seed),
      )
    }
    await final.close()
  } finally {
    place.cleanup()
  }
}

const override = process.env.CKPT_LAW_RUNS
/**
 * CI replays a fixed seed, so that a landing is reproducible; local runs explore a new seed each time (printed by
 * fast-check on failure). `CKPT_LAW_SEED` sets one either way.
 */
const seed = process.env.CKPT_LAW_SEED !== undefined ? Number(process.env.CKPT_LAW_SEED) : process.env.CI ? 20261201 : undefined

/**
 * Counterexamples once found, replayed on every run. The first: a crash mid-overwrite whose new file is adopted
 * on reopen must take its own place in save order (the model once kept the old one's place).
 */
const REPLAYED: ReadonlyArray<[Config, Step[]]> = [
  [
    { saveFreq: 1, filepath: 'ckpt/e{epoch}-b{batch}.safetensors', retention: { maxToKeep: 2 }, saveBestOnly: false, async: false },
    [
      { kind: 'save', batch: 1, loss: 0.5, fault: null },
      { kind: 'save', batch: 0, loss: 0.5, fault: null },
      { kind: 'save', batch: 1, loss: 0.5, fault: { op: 'mkdir', nth: 4, crash: true } },
      { kind: 'save', batch: null, loss: 0.5, fault: null },
      { kind: 'save', batch: 0, loss: 0.4, fault: null },
      { kind: 'save', batch: null, loss: 0.5, fault: null },
    ],
  ],
]

describe.each(LAW_FORMATS.flatMap((format) => (['memory', 'fs'] as const).map((where) => ({ format, where }))))(
  'the law, $format.name on $where storage',
  ({ format, where }) => {
    it('every acknowledged save stays listed and restorable, or a retention rule removed it; nothing else is deleted', async () => {
      await format.setup()
      await fc.assert(
        fc.asyncProperty(configs(format), steps, (config, plan) => run(format, where, config, plan)),
        {
          numRuns: override !== undefined ? Number(override) : format.runs[where],
          examples: format.name === 'safetensors' ? [...REPLAYED] : [],
          ...(seed !== undefined ? { seed } : {}),
        },
      )
    })
  },
)
