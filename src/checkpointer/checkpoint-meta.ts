import type { Ranking } from '../policy/index.js'
import type { CheckpointMeta } from './serializer.js'

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/** The entry data an artifact carries, as plain JSON: NaN and ±Infinity become "NaN", "Infinity", "-Infinity", as in the index. */
export const checkpointMetaToJson = (meta: CheckpointMeta): unknown =>
  JSON.parse(JSON.stringify(meta, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)))

const rankingOf = (u: unknown): { readonly ranking: Ranking } | null =>
  isRecord(u) && typeof u.monitor === 'string' && (u.mode === 'min' || u.mode === 'max')
    ? { ranking: { monitor: u.monitor, mode: u.mode } }
    : null

/** The entry data back from {@link checkpointMetaToJson}'s JSON, or null when `json` is not ckpt's. */
export const checkpointMetaFromJson = (json: unknown): CheckpointMeta | null => {
  if (!isRecord(json)) return null
  const m = JSON.parse(JSON.stringify(json), (_k, v: unknown) =>
    v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
  ) as Record<string, unknown>
  if (typeof m.epoch !== 'number' || typeof m.step !== 'number' || typeof m.time !== 'number' || !isRecord(m.metrics)) return null
  return {
    epoch: m.epoch,
    step: m.step,
    batch: typeof m.batch === 'number' ? m.batch : null,
    metrics: m.metrics as Record<string, number>,
    score: typeof m.score === 'number' ? m.score : null,
    time: m.time,
    policyState: m.policyState ?? null,
    ...(rankingOf(m.ranking) ?? {}),
    ...(m.last === true ? { last: true as const } : {}),
  }
}
