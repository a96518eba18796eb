import { bigCheckpointSuite } from './support/big-suite.js'

// 8 GiB: past 4 GiB, the longest buffer Node makes, so the checkpoint is held as several tensors. Run with CKPT_HUGE=1.
bigCheckpointSuite('8 GiB', 8 * 2 ** 30, {
  storage: 'fs',
  diskBytes: 20e9,
  skip: process.env['CKPT_HUGE'] === '1' ? null : 'set CKPT_HUGE=1 to run it (about 10 GB of memory and 20 GB of disk)',
})
