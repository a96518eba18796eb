import { createHash } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { BlockHasher } from '../../checkpointer/hashing/block-hasher.js'

/*
 * Node's block hasher: node:crypto's SHA-256 (the CPU's SHA extensions) on worker threads and on this thread at
 * once. A worker hashes a block copied into a slot of memory it shares with this thread (a block is usually a view
 * of a caller's buffer, which cannot be moved); this thread hashes the blocks no free slot takes, in short turns,
 * so that the I/O callbacks of the reads and writes being hashed keep running. Node-only: browsers use
 * web-hasher.ts.
 */

/** Bytes of one slot: a block of the size ckpt writes. A larger piece is hashed on this thread. */
const SLOT_BYTES = 1 << 20
/** Slots per worker: blocks queued for it while it hashes one. */
const SLOTS = 4
/** Hashing on this thread runs for at most this long per event-loop turn. */
const TURN_MS = 2

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const memory = new Uint8Array(workerData.memory)
parentPort.on('message', (m) => {
  const digest = createHash('sha256').update(memory.subarray(m.at, m.at + m.length)).digest()
  parentPort.postMessage({ id: m.id, digest })
})
`

interface Job {
  readonly pieces: ReadonlyArray<Uint8Array>
  readonly length: number
  readonly resolve: (d: Uint8Array) => void
  readonly reject: (e: unknown) => void
}

interface Hand {
  readonly worker: Worker
  readonly memory: Uint8Array
  readonly free: number[]
  readonly busy: Map<number, { job: Job; slot: number }>
  dead: boolean
}

const hashHere = (pieces: ReadonlyArray<Uint8Array>): Uint8Array => {
  const h = createHash('sha256')
  for (const p of pieces) h.update(p)
  return h.digest()
}

/**
 * A block hasher over `workers` worker threads (default: one less than the cores, at most 3) and this thread.
 * Workers start at the first digest and do not keep the process alive while idle. A worker that fails or exits
 * hands its blocks back to this thread; with no worker at all, every block is hashed here.
 */
export const nodeHasher = (workers = Math.min(3, availableParallelism() - 1)): BlockHasher => {
  /** Blocks waiting, oldest first; `local` holds those too large for a slot, for this thread only. */
  const queue: Job[] = []
  const local: Job[] = []
  let hands: Hand[] | null = null
  let nextId = 0
  let scheduled = false

  const start = (): Hand[] => {
    const out: Hand[] = []
    for (let i = 0; i < workers; i++) {
      let worker: Worker
      const shared = new SharedArrayBuffer(SLOT_BYTES * SLOTS)
      try {
        worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory: shared }, execArgv: [] })
      } catch {
        break // no workers here (a sandbox, a runtime without them): this thread hashes everything
      }
      const hand: Hand = { worker, memory: new Uint8Array(shared), free: [...Array(SLOTS).keys()], busy: new Map(), dead: false }
      worker.unref()
      worker.on('message', (m: { id: number; digest: Uint8Array }) => {
        const done = hand.busy.get(m.id)
        if (done === undefined) return
        hand.busy.delete(m.id)
        hand.free.push(done.slot)
        if (hand.busy.size === 0) worker.unref()
        done.job.resolve(m.digest)
        dispatch()
      })
      const lost = () => {
        if (hand.dead) return
        hand.dead = true
        for (const { job } of hand.busy.values()) queue.push(job)
        hand.busy.clear()
        dispatch()
      }
      worker.on('error', lost)
      worker.on('exit', lost)
      out.push(hand)
    }
    return out
  }

  /** Hands queued blocks to free slots, and schedules this thread's turn for the rest. */
  const dispatch = () => {
    for (const hand of hands ?? []) {
      if (hand.dead) continue
      while (hand.free.length > 0 && queue.length > 0) {
        const job = queue.shift()!
        const slot = hand.free.pop()!
        let at = slot * SLOT_BYTES
        for (const p of job.pieces) {
          hand.memory.set(p, at)
          at += p.byteLength
        }
        const id = nextId++
        hand.busy.set(id, { job, slot })
        if (hand.busy.size === 1) hand.worker.ref()
        hand.worker.postMessage({ id, at: slot * SLOT_BYTES, length: job.length })
      }
    }
    if ((queue.length > 0 || local.length > 0) && !scheduled) {
      scheduled = true
      setImmediate(turn)
    }
  }

  /** This thread's share: the newest queued blocks (the workers take the oldest), for at most TURN_MS. */
  const turn = () => {
    scheduled = false
    const until = performance.now() + TURN_MS
    while ((queue.length > 0 || local.length > 0) && performance.now() < until) {
      const job = local.pop() ?? queue.pop()!
      try {
        job.resolve(hashHere(job.pieces))
      } catch (e) {
        job.reject(e)
      }
    }
    dispatch()
  }

  return {
    blockSize: SLOT_BYTES,
    digest: (pieces) =>
      new Promise<Uint8Array>((resolve, reject) => {
        hands ??= start()
        const length = pieces.reduce((n, p) => n + p.byteLength, 0)
        ;(length <= SLOT_BYTES ? queue : local).push({ pieces, length, resolve, reject })
        dispatch()
      }),
  }
}
