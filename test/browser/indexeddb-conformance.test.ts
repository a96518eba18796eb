import { pageSuite } from './support/session.js'

// The shared conformance suite, run in Chromium against `indexedDbStorage`: one vitest test per case.
await pageSuite('indexedDbStorage in Chromium', new URL('./pages/conformance.ts', import.meta.url), 'storage conformance: indexeddb')
