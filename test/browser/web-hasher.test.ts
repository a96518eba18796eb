import { pageSuite } from './support/session.js'

// The browser build's block hasher, run in Chromium: Web Crypto in 512 KiB blocks, one join buffer reused by every
// call (Web Crypto copies the bytes before `digest` returns), checked against each block hashed on its own.
await pageSuite('the web block hasher in Chromium', new URL('./pages/web-hasher.ts', import.meta.url))
