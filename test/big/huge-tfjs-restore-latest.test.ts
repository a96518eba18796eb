import { tfjsRestoreLatestSuite } from './support/tfjs-suite.js'

// An 8 GiB tfjs model (four 2 GiB embeddings) through modelCheckpoint and restoreLatest on fs. Run with CKPT_HUGE=1.
tfjsRestoreLatestSuite('fs', '8 GiB')
