import { bigCheckpointSuite } from './support/big-suite.js'

// The 8 GiB suite on S3 (s3rver, which keeps objects as files): past 4 GiB, so the object is only ever streamed or
// read in ranges. Run with CKPT_HUGE=1; needs ~20 GB of disk (the object, plus its parts while the upload completes).
bigCheckpointSuite('8 GiB', 8 * 2 ** 30, {
  storage: 's3',
  diskBytes: 20e9,
  skip: process.env['CKPT_HUGE'] === '1' ? null : 'set CKPT_HUGE=1 to run it (about 10 GB of memory and 20 GB of disk)',
})
