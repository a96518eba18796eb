import { readFileSync, writeFileSync } from 'node:fs'

/**
 * Run inside a fresh child (`node --expose-gc`): the time and the peak memory of one operation. The peak is the
 * kernel's own high-water mark (VmHWM), reset just before the operation through /proc/self/clear_refs (Linux),
 * so it counts every byte the operation held at once (Buffers, wasm memory, the heap), with no sampling.
 */

const statusKiB = (field: 'VmRSS' | 'VmHWM', pid: number | 'self' = 'self'): number => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (m === null) throw new Error(`no ${field} in /proc/${pid}/status`)
  return Number(m[1])
}

/** Resets the kernel's high-water mark of process `pid` (one of this user's) to its current RSS. */
export const resetPeak = (pid: number | 'self' = 'self'): void => writeFileSync(`/proc/${pid}/clear_refs`, '5')

/** The peak RSS of process `pid` since it started or since `resetPeak`, in bytes. */
export const peakBytesOf = (pid: number): number => statusKiB('VmHWM', pid) * 1024

export interface Measured {
  readonly elapsedMs: number
  /** Peak RSS during the operation minus RSS just before it, in bytes. */
  readonly growthBytes: number
  readonly peakBytes: number
}

export const measure = async <A>(run: () => Promise<A>): Promise<Measured & { readonly value: A }> => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run the child with node --expose-gc')
  gc()
  resetPeak()
  const before = statusKiB('VmRSS')
  const started = performance.now()
  const value = await run()
  const elapsedMs = performance.now() - started
  const peak = statusKiB('VmHWM')
  return { value, elapsedMs, growthBytes: (peak - before) * 1024, peakBytes: peak * 1024 }
}

/** Whether the peak can be measured here (Linux, with a writable clear_refs). */
export const peakMeasurable = (): boolean => {
  try {
    resetPeak()
    return statusKiB('VmHWM') > 0
  } catch {
    return false
  }
}
