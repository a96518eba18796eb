import { createHash } from 'node:crypto'
import type { Sha256 } from '../types.js'

/** An incremental SHA-256: node:crypto's (the CPU's SHA extensions). */
export const createSha256 = (): Sha256 => {
  const hash = createHash('sha256')
  return {
    update(bytes) {
      hash.update(bytes)
    },
    hex: () => hash.digest('hex'),
  }
}
