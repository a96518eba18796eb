/** The page of the browser conformance suites: the shared suite for each browser adapter, a fresh store per `make`. */
import { indexedDbStorage } from 'ckpt/storage/indexeddb'
import { opfsStorage } from 'ckpt/storage/opfs'
// ckpt/testing's barrel also holds the Node-only fault injection (node:http): the suite is taken from its own module.
import { conformance } from '../../../src/testing/conformance.js'
import { exposeTests, pageRunner } from '../support/runner.js'

const { api, tests } = pageRunner()
let made = 0

conformance({ name: 'indexeddb', make: () => indexedDbStorage(`conformance-${++made}`) }, api)
conformance({ name: 'opfs', make: () => opfsStorage(`conformance-${++made}`) }, api)

exposeTests(tests)
