import { tfjsRestoreLatestSuite } from './support/tfjs-suite.js'

// The 2.5 GiB tfjs model through modelCheckpoint and restoreLatest on S3 (s3rver, which keeps objects as files).
tfjsRestoreLatestSuite('s3')
