import { bigCheckpointSuite } from './support/big-suite.js'

// 2.5 GiB: past 2 GiB, where one Node read aborts, and a single tensor past it too. Needs ~8 GB of disk.
bigCheckpointSuite('2.5 GiB', 2.5 * 2 ** 30, { storage: 'fs', diskBytes: 8e9, skip: null })
