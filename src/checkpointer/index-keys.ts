import { keyProblem } from '../storage/keys.js'
import { LOCK_KEY } from './writer-lock.js'

/** The index's key at the storage root, like tf.train.CheckpointManager's `checkpoint` file. */
export const INDEX_KEY = 'ckpt-index.json'

/** The folder of the index's segments (docs/format.md): checkpoints compacted out of the index file. */
export const SEGMENT_PREFIX = 'ckpt-index.d/'

/** A segment's key: `ckpt-index.d/<seq>-<8 hex>.json`, `seq` being the index write that first names it. */
export const SEGMENT_KEY = /^ckpt-index\.d\/([1-9][0-9]{0,15})-[0-9a-f]{8}\.json$/

/**
 * The last `seq` an index file may have: far past any real count of writes (a million a second for 140 years), and
 * with `seq + 1` still exact, so that a planted file or index cannot make a writer write a `seq` it cannot read back.
 */
export const MAX_SEQ = 2 ** 52

/** The `seq` in a segment's key, or null for any other key (one at or past `MAX_SEQ` is no segment ckpt writes). */
export const segmentSeq = (key: string): number | null => {
  const m = SEGMENT_KEY.exec(key)
  const seq = m === null ? null : Number(m[1])
  return seq !== null && seq < MAX_SEQ ? seq : null
}

/** Keys of plain ASCII segments: valid by the storage's rules without the slower general check. */
const PLAIN_KEY = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254})*$/

/**
 * A checkpoint file's key: valid by the storage's own rules, and never the index's own files or the lock (an
 * index naming them is corrupt: ckpt would delete them with the checkpoint).
 */
export const isFileKey = (k: unknown): k is string =>
  typeof k === 'string' &&
  ((k.length <= 1024 && PLAIN_KEY.test(k)) || keyProblem(k) === null) &&
  k !== INDEX_KEY &&
  k !== LOCK_KEY &&
  !k.startsWith(SEGMENT_PREFIX)
