/**
 * Test-only `node:zlib` (see README.md): the Keras zip code is reached by the tfjs graph but not used by the browser
 * suites. No `crc32`: src/keras/crc32.ts then takes its table-driven one.
 */
export const crc32: undefined = undefined

export const inflateRawSync = (): never => {
  throw new Error('test zlib shim: inflateRawSync is not available in the page')
}
