/**
 * Every key of each entry point's options type, as records: tsc fails here when a key is added to a type and not to
 * its record, so a test that compares an "accepted" list with these compares it with the type itself.
 */
import type { ModelCheckpointOptions } from '../../src/adapters/tfjs/callback.js'
import type { CheckpointerOptions } from '../../src/checkpointer/index.js'
import type { PolicyOptions, RetentionOptions } from '../../src/policy/index.js'

export const RETENTION_KEYS: Record<keyof RetentionOptions, true> = {
  saveTopK: true,
  maxToKeep: true,
  keepPeriod: true,
  keepTimeInterval: true,
  keepLatest: true,
  keepBest: true,
}

export const POLICY_KEYS: Record<keyof PolicyOptions, true> = {
  filepath: true,
  monitor: true,
  mode: true,
  saveBestOnly: true,
  saveWeightsOnly: true,
  saveFreq: true,
  initialValueThreshold: true,
  verbose: true,
  minDelta: true,
  ...RETENTION_KEYS,
  saveLast: true,
  lastFilepath: true,
}

/** The tfjs callback's: the Checkpointer's less serializer and immutableSnapshots (the adapter's) and maxShardSize. */
export const MODEL_CHECKPOINT_KEYS: Record<keyof ModelCheckpointOptions, true> = {
  ...POLICY_KEYS,
  storage: true,
  async: true,
  enableVersionCounter: true,
  log: true,
  rank: true,
  isChief: true,
  trigger: true,
  writerLock: true,
  lockStaleAfter: true,
}

export const CHECKPOINTER_KEYS: Record<keyof CheckpointerOptions<unknown, unknown>, true> = {
  ...MODEL_CHECKPOINT_KEYS,
  serializer: true,
  immutableSnapshots: true,
  maxShardSize: true,
}
