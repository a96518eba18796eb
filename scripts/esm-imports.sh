#!/usr/bin/env bash
# One-off rewrite for issue #9 item 6 (tree-shakable fp-ts/io-ts). Run once, from the repo root, after the
# source branches are merged; it is idempotent. Proven in a scratch copy (tsc, vitest, node dist/, bundle size).
#
# Why a package.json "imports" map rather than a plain specifier:
#   fp-ts/lib/X.js  Node ESM: loads (CommonJS)          esbuild: CommonJS, keeps all of fp-ts (~71 KB of ckpt's bundle)
#   fp-ts/es6/X.js  Node ESM: ERR_MODULE_NOT_FOUND       esbuild: ES module, tree-shaken
#                   (its files import './Applicative' without an extension, so Node cannot load them at all)
#   fp-ts/X         Node ESM: ERR_UNSUPPORTED_DIR_IMPORT esbuild --platform=node: picks "main", CommonJS again
#   #fp-ts/X.js     Node/tsx/vitest/tsc: "default" -> fp-ts/lib/X.js; bundlers (esbuild, webpack, rollup, vite):
#                   "module" condition -> fp-ts/es6/X.js, tree-shaken. Types come from fp-ts/lib/X.d.ts.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. The map: bundlers take the "module" build, everything else the CommonJS one.
node -e '
const fs = require("fs")
const p = JSON.parse(fs.readFileSync("package.json", "utf8"))
const imports = {
  "#fp-ts/*": { module: "fp-ts/es6/*", default: "fp-ts/lib/*" },
  "#io-ts": { module: "io-ts/es6/index.js", default: "io-ts" },
}
const out = {}
for (const [k, v] of Object.entries(p)) if (k !== "imports") { out[k] = v; if (k === "exports") out.imports = imports }
fs.writeFileSync("package.json", JSON.stringify(out, null, 2) + "\n")'

# 2. The specifiers in src/ (tests, bench and docs may keep fp-ts/lib: they are not bundled into ckpt).
grep -rlE "from '(fp-ts/lib/[A-Za-z]+\.js|io-ts)'" src | xargs -r sed -i -E \
  "s#from 'fp-ts/lib/([A-Za-z]+)\.js'#from '\#fp-ts/\1.js'#; s#from 'io-ts'#from '\#io-ts'#"

# 3. Test helpers that bundle src/ with packages external: without a custom condition esbuild takes "module",
#    then leaves fp-ts/es6/* external, which Node cannot load. conditions: ['node'] selects the CommonJS build.
grep -q "conditions: \['node'\]" test/support/bundle.ts ||
  sed -i "s/^    packages: 'external',$/    packages: 'external',\n    conditions: ['node'],/" test/support/bundle.ts
sed -i "s/packages: 'external', logLevel: 'silent' })/packages: 'external', conditions: ['node'], logLevel: 'silent' })/" test/cli/spawn.test.ts
grep -q "conditions: \['node'\]" test/support/bundle.ts test/cli/spawn.test.ts

grep -rnE "fp-ts/lib/|from 'io-ts'" src && { echo "esm-imports: some imports were not rewritten" >&2; exit 1; } || true
echo "esm-imports: done; now run npx tsc -p tsconfig.json --noEmit, npm test and npm run size"
