#!/usr/bin/env node
// The `ckpt` command. The code is in dist/cli/main.js, built by `npm run build` (npm ci runs it via `prepare`).
let cli
try {
  cli = await import('../dist/cli/main.js')
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/main.js')) {
    process.stderr.write('ckpt: dist/cli/main.js is missing; run `npm run build` first\n')
    process.exit(3)
  }
  throw e
}
await cli.runProcess()
