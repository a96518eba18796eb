import { createCheckpointer } from '../../src/checkpointer/index.js'
import { s3Storage } from '../../src/storage/s3.js'
import { quiet } from '../checkpointer/support.js'
import type { ProxiedMoto } from '../storage/servers.js'

/** Opens Checkpointers (`e{epoch}.safetensors`, monitor `loss`) on one prefix of `moto` (a fresh one by default), through its proxy. */
export const checkpointersOn =
  (moto: ProxiedMoto, prefix = moto.options().prefix) =>
  () =>
    createCheckpointer({ storage: s3Storage(moto.options({ prefix })), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
