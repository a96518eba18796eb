import { tfjsRestoreLatestSuite } from './support/tfjs-suite.js'

tfjsRestoreLatestSuite('fs')
