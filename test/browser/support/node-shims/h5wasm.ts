/**
 * Test-only `h5wasm` (see README.md): the Keras `.weights.h5` code imports it on demand, but esbuild (no code
 * splitting) would put its 5 MB in every page bundle. No browser suite reads HDF5: a use fails as a missing package does.
 */
export default {
  get ready(): Promise<never> {
    return Promise.reject(new Error('h5wasm is left out of the test page bundles'))
  },
}
