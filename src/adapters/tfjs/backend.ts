import * as tf from '@tensorflow/tfjs-core'
import { fail } from './errors.js'
import { installHint, notInstalled } from './peers.js'

/** The tfjs backends ckpt supports. */
export type BackendName = 'wasm' | 'cpu'

export const supportedBackends: ReadonlyArray<BackendName> = ['wasm', 'cpu']

export interface UseBackendOptions {
  /**
   * wasm only: the folder (or URL prefix) holding the `.wasm` binaries. A trailing `/` is added if missing.
   * Default: none, tfjs finds the binaries next to its own module (this works in Node).
   * Must be given before the wasm backend is first initialised in this process.
   */
  readonly wasmPaths?: string
}

const withTrailingSlash = (p: string): string => (p.endsWith('/') ? p : `${p}/`)

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Runs the registered factory once more to learn why initialisation failed (tfjs only logs it). */
const diagnose = async (name: BackendName): Promise<string> => {
  const factory = tf.findBackendFactory(name)
  if (factory == null) return `no backend named '${name}' is registered`
  try {
    const backend = await factory()
    backend.dispose()
    return 'tf.setBackend returned false, yet the backend factory succeeds when run again'
  } catch (e) {
    return errorMessage(e)
  }
}

const unavailable = (backend: BackendName, reason: string): never =>
  fail({
    _tag: 'BackendUnavailable',
    backend,
    reason,
    message: `ckpt/tfjs: the tfjs '${backend}' backend could not be initialised: ${reason}`,
  })

/** A tiny computation proving that the active backend really runs kernels. */
const probe = (): boolean => {
  const out = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync())
  return out[0] === 4 && out[1] === 6
}

/**
 * Registers and activates a tfjs backend, and proves it works.
 *
 * `tf.setBackend` returns `false` on failure without throwing, and `tf.getBackend()` may still report the
 * failed backend; this function checks the return value, the active backend's name and a probe computation,
 * and rejects with a `CkptTfjsError` (`BackendUnavailable`) naming the backend and the reason (for a backend
 * package that is not installed, what to `npm install`).
 *
 * @example
 * await useBackend('wasm')
 */
export const useBackend = async (name: BackendName, options: UseBackendOptions = {}): Promise<void> => {
  if (!supportedBackends.includes(name)) {
    unavailable(name, `unknown backend ${JSON.stringify(name)}; supported: ${supportedBackends.join(', ')}`)
  }
  try {
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm')
      if (options.wasmPaths !== undefined) wasm.setWasmPaths(withTrailingSlash(options.wasmPaths))
    } else {
      await import('@tensorflow/tfjs-backend-cpu')
    }
  } catch (e) {
    const pkg = `@tensorflow/tfjs-backend-${name}`
    unavailable(name, notInstalled(e, pkg) ? `it ${installHint(pkg, pkg)}` : `loading its package failed: ${errorMessage(e)}`)
  }
  const ok = await tf.setBackend(name)
  if (!ok) unavailable(name, await diagnose(name))
  await tf.ready()
  if (tf.getBackend() !== name) unavailable(name, `tf.getBackend() reports '${tf.getBackend()}' after setBackend`)
  let works = false
  try {
    works = probe()
  } catch (e) {
    unavailable(name, `a probe computation threw: ${errorMessage(e)}`)
  }
  if (!works) unavailable(name, 'a probe computation (1+3, 2+4) gave a wrong result')
}
