import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'

// Its own file: a failed wasm initialisation is permanent for the process (vitest runs each file in its own fork).
describe('useBackend when wasm cannot initialise', () => {
  it('rejects naming the backend and the reason, although tf.setBackend only returned false', async () => {
    const missing = '/nonexistent-ckpt-wasm-dir' // no trailing slash: useBackend adds it
    const err = await useBackend('wasm', { wasmPaths: missing }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CkptTfjsError)
    const e = (err as CkptTfjsError).error
    expect(e._tag).toBe('BackendUnavailable')
    expect(e._tag === 'BackendUnavailable' && e.backend).toBe('wasm')
    expect((err as Error).message).toContain("'wasm' backend could not be initialised")
    expect((err as Error).message).toContain(`${missing}/tfjs-backend-wasm`)
    expect((err as Error).message).toMatch(/ENOENT/)
    // tfjs itself would have let this pass silently:
    expect(await tf.setBackend('wasm')).toBe(false)
  })
})
