import { pageSuite } from './support/session.js'

// The shared conformance suite, run in Chromium against `opfsStorage`: one vitest test per case.
await pageSuite('opfsStorage in Chromium', new URL('./pages/conformance.ts', import.meta.url), 'storage conformance: opfs')
