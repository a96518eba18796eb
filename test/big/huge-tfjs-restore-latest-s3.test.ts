import { tfjsRestoreLatestSuite } from './support/tfjs-suite.js'

// An 8 GiB tfjs model through modelCheckpoint and restoreLatest on S3 (s3rver, which keeps objects as files); the
// weight file is past 4 GiB, so it is only ever streamed or read in ranges. Run with CKPT_HUGE=1.
tfjsRestoreLatestSuite('s3', '8 GiB')
