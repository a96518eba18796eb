import { afterAll, beforeAll } from 'vitest'
import { startProxiedMoto, type ProxiedMoto } from '../support/s3-servers.js'

export * from '../support/s3-servers.js'

/** Starts moto behind a fault proxy before the suite's tests and stops it after them; the result gives it. */
export const useProxiedMoto = (): (() => ProxiedMoto) => {
  let moto: ProxiedMoto | undefined
  beforeAll(async () => {
    moto = await startProxiedMoto()
  })
  afterAll(async () => {
    await moto?.stop()
  })
  return () => moto!
}
