import type { Ranking } from '../policy/index.js'
import { INDEX_FORMAT, INDEX_VERSION, type Entry, type IndexDoc, type IndexHead } from './index-file.js'
import { FANOUT, JOURNAL_MAX, levelFor, makeSegment, mergeOps, type Segment } from './index-segment.js'

/**
 * One change to the index, as a delta, so that a save costs the same at any count: `reset` (rare: recovery's
 * re-sort) replaces the live list, then `drop` removes paths, then each of `add` replaces any live entry with its
 * path and goes last. The other fields, when given, replace theirs.
 */
export interface IndexChange {
  readonly reset?: ReadonlyArray<Entry>
  readonly drop?: ReadonlyArray<string>
  readonly add?: ReadonlyArray<Entry>
  readonly replacing?: ReadonlyArray<Entry>
  readonly removing?: ReadonlyArray<Entry>
  readonly policyState?: unknown
  readonly ranking?: Ranking
}

/** The index as the Checkpointer reads it: lookups by path and file in constant time, the full list on demand. */
export interface IndexView {
  /** The logical index, every live checkpoint listed (built on first use after each change). */
  readonly doc: IndexDoc
  /** Live checkpoints. */
  readonly size: number
  get(path: string): Entry | undefined
  /** The newest live checkpoint (the last committed). */
  latest(): Entry | undefined
  /** Whether a live checkpoint has a file at `key`. */
  usesFile(key: string): boolean
  readonly replacing: ReadonlyArray<Entry>
  readonly removing: ReadonlyArray<Entry>
  readonly policyState: unknown
}

/** One index write: segments to write first, then the index file (the commit point), then segments to delete. */
export interface WritePlan {
  readonly writes: ReadonlyArray<{ readonly key: string; readonly bytes: Uint8Array }>
  readonly head: IndexHead
  /** Segments the new index file no longer names. */
  readonly obsolete: ReadonlyArray<string>
  readonly change: IndexChange
  readonly journal: ReadonlyMap<string, Entry>
  readonly dropped: ReadonlySet<string>
  readonly segments: ReadonlyArray<Segment>
}

export interface IndexState extends IndexView {
  readonly head: IndexHead
  readonly segments: ReadonlyArray<Segment>
  /** What writing `change` takes, as index write `seq` (the head's next, or more); touches nothing. */
  plan(change: IndexChange, seq?: number): WritePlan
  /** The state once `plan`'s index file is written. */
  commit(plan: WritePlan): void
}

/**
 * The in-memory index of an index file and its segments (read in order). Live checkpoints are a Map in commit
 * order; a change costs the size of its delta plus the index file's (at most `JOURNAL_MAX` entries and dropped
 * paths, and the segment references), and a compaction now and then.
 */
export const indexState = (head: IndexHead, segments: ReadonlyArray<Segment>): IndexState => {
  const live = new Map<string, Entry>()
  /** How many live checkpoints use each file key: built on first use (not by a save), then kept up to date. */
  let files: Map<string, number> | null = null
  const countFiles = (e: Entry, by: number) => {
    if (files === null) return
    for (const f of e.files) {
      const n = (files.get(f.key) ?? 0) + by
      if (n === 0) files.delete(f.key)
      else files.set(f.key, n)
    }
  }
  /** The last of `live`, or undefined when it must be found again (its entry was removed). */
  let newest: Entry | undefined
  const remove = (path: string) => {
    const old = live.get(path)
    if (old === undefined) return
    live.delete(path)
    if (old === newest) newest = undefined
    countFiles(old, -1)
  }
  const put = (e: Entry) => {
    remove(e.path)
    live.set(e.path, e)
    newest = e
    countFiles(e, 1)
  }
  const load = (drops: ReadonlyArray<string>, adds: ReadonlyArray<Entry>) => {
    for (const p of drops) live.delete(p)
    for (const e of adds) {
      // One lookup for a new path (nearly all of them); a path seen before is moved last.
      const size = live.size
      live.set(e.path, e)
      if (live.size === size) {
        live.delete(e.path)
        live.set(e.path, e)
      }
    }
  }
  for (const s of segments) load(s.drops, s.adds)
  load(head.dropped, head.checkpoints)
  const last = head.checkpoints.at(-1) ?? segments.at(-1)?.adds.at(-1)
  if (last !== undefined && live.get(last.path) === last) newest = last

  let current = head
  let segs = segments
  /** The index file's own entries and the paths it drops from segments. */
  let journal = new Map(head.checkpoints.map((e) => [e.path, e]))
  let dropped = new Set(head.dropped)
  let doc: IndexDoc | null = null

  const plan = (change: IndexChange, seq = current.seq + 1): WritePlan => {
    const writes = new Map<string, Uint8Array>()
    const obsolete: string[] = []
    let nextSegs: Segment[]
    let nextJournal: Map<string, Entry>
    let nextDropped: Set<string>
    const segment = (drops: ReadonlyArray<string>, adds: ReadonlyArray<Entry>, level: number): Segment => {
      const { bytes, ...s } = makeSegment(seq, drops, adds, level)
      writes.set(s.ref.key, bytes)
      return s
    }
    if (change.reset !== undefined) {
      const all = new Map(change.reset.map((e) => [e.path, e]))
      for (const p of change.drop ?? []) all.delete(p)
      for (const e of change.add ?? []) {
        all.delete(e.path)
        all.set(e.path, e)
      }
      obsolete.push(...segs.map((s) => s.ref.key))
      nextDropped = new Set()
      if (all.size <= JOURNAL_MAX) {
        nextSegs = []
        nextJournal = all
      } else {
        nextSegs = [segment([], [...all.values()], levelFor(all.size))]
        nextJournal = new Map()
      }
    } else {
      nextSegs = [...segs]
      nextJournal = new Map(journal)
      nextDropped = new Set(dropped)
      /** Whether the live entry at `p` is one of a segment's (it was live before this change and not in the file). */
      const inSegment = (p: string) => live.has(p) && !journal.has(p)
      const out = (p: string) => {
        if (nextJournal.has(p)) nextJournal.delete(p)
        else if (inSegment(p)) nextDropped.add(p)
      }
      for (const p of change.drop ?? []) out(p)
      for (const e of change.add ?? []) {
        out(e.path)
        nextJournal.set(e.path, e)
      }
      if (nextJournal.size + nextDropped.size > JOURNAL_MAX) {
        // Compaction: the journal becomes a segment (of level 0, unless a version-1 index made it large), and runs of
        // FANOUT segments of one level merge into one of the next: O(log n) segments, each entry rewritten O(log n) times.
        // A large change (a mass drop) starts above level 0: the lower segments before it merge into it, so that levels
        // never rise along the list and the runs below still merge (left before it, they would never merge again).
        const level = levelFor(nextJournal.size + nextDropped.size)
        let below = nextSegs.length
        while (below > 0 && nextSegs[below - 1]!.ref.level < level) below--
        const lower = nextSegs.splice(below)
        for (const s of lower) if (!writes.delete(s.ref.key)) obsolete.push(s.ref.key)
        const flushed = mergeOps([...lower, { drops: [...nextDropped], adds: [...nextJournal.values()] }], below === 0)
        if (flushed.adds.length > 0 || flushed.drops.length > 0) nextSegs.push(segment(flushed.drops, flushed.adds, level))
        nextJournal = new Map()
        nextDropped = new Set()
        for (;;) {
          // A merge of every segment into nothing (no checkpoint live) leaves none to merge further.
          const last = nextSegs.at(-1)
          if (last === undefined) break
          const level = last.ref.level
          let start = nextSegs.length
          while (start > 0 && nextSegs[start - 1]!.ref.level === level) start--
          if (nextSegs.length - start < FANOUT) break
          const run = nextSegs.splice(start)
          for (const s of run) if (!writes.delete(s.ref.key)) obsolete.push(s.ref.key)
          const merged = mergeOps(run, start === 0)
          if (merged.adds.length > 0 || merged.drops.length > 0) nextSegs.push(segment(merged.drops, merged.adds, level + 1))
        }
      }
    }
    const { replacing, removing, policyState, ranking } = change
    const nextHead: IndexHead = {
      format: INDEX_FORMAT,
      version: INDEX_VERSION,
      seq,
      segments: nextSegs.map((s) => s.ref),
      dropped: [...nextDropped],
      checkpoints: [...nextJournal.values()],
      replacing: replacing ?? current.replacing,
      removing: removing ?? current.removing,
      policyState: 'policyState' in change ? policyState : current.policyState,
      ...((ranking ?? current.ranking) !== undefined ? { ranking: ranking ?? current.ranking } : {}),
    }
    return {
      writes: [...writes].map(([key, bytes]) => ({ key, bytes })),
      head: nextHead,
      obsolete,
      change,
      journal: nextJournal,
      dropped: nextDropped,
      segments: nextSegs,
    }
  }

  const commit = (p: WritePlan): void => {
    const { reset, drop, add } = p.change
    if (reset !== undefined) {
      live.clear()
      files = null
      newest = undefined
      for (const e of reset) put(e)
    }
    for (const path of drop ?? []) remove(path)
    for (const e of add ?? []) put(e)
    current = p.head
    segs = p.segments
    journal = new Map(p.journal)
    dropped = new Set(p.dropped)
    doc = null
  }

  return {
    get head() {
      return current
    },
    get segments() {
      return segs
    },
    get doc() {
      doc ??= {
        format: INDEX_FORMAT,
        version: current.version,
        checkpoints: [...live.values()],
        replacing: current.replacing,
        removing: current.removing,
        policyState: current.policyState,
        ...(current.ranking !== undefined ? { ranking: current.ranking } : {}),
      }
      return doc
    },
    get size() {
      return live.size
    },
    get: (path) => live.get(path),
    latest: () => {
      // Found again only after the newest was removed (an overwrite, a recovery): not on a save.
      if (newest === undefined && live.size > 0) for (const e of live.values()) newest = e
      return newest
    },
    usesFile: (key) => {
      if (files === null) {
        files = new Map()
        for (const e of live.values()) countFiles(e, 1)
      }
      return files.has(key)
    },
    get replacing() {
      return current.replacing
    },
    get removing() {
      return current.removing
    },
    get policyState() {
      return current.policyState
    },
    plan,
    commit,
  }
}

/** The state of a folder with no index yet: nothing live, the given policy state. */
export const emptyState = (doc: IndexDoc): IndexState =>
  indexState({ ...doc, version: INDEX_VERSION, seq: 0, segments: [], dropped: [], checkpoints: [...doc.checkpoints] }, [])
