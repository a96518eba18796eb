import { bigCheckpointSuite } from './support/big-suite.js'

// The 2.5 GiB suite on S3 (s3rver, which keeps objects as files). Run with CKPT_HUGE=1: it moves every byte through
// HTTP several times and needs ~8 GB of disk (the object, plus its parts while the upload completes).
bigCheckpointSuite('2.5 GiB', 2.5 * 2 ** 30, {
  storage: 's3',
  diskBytes: 8e9,
  skip: process.env['CKPT_HUGE'] === '1' ? null : 'set CKPT_HUGE=1 to run it (about 4 GB of memory and 8 GB of disk)',
})
