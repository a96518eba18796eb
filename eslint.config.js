// ESLint 9 flat config: typescript-eslint (type-aware), one line width, and the layer rules of issue #9.
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/** The one width: prettier's printWidth (.prettierrc.json) is the same number; max-len holds what prettier cannot break. */
const WIDTH = 140

/**
 * The layers of src/, what each may import of ours, and why. A layer may always import its own files.
 * `why` names the issue #9 rule that the edge would break; it is the lint message.
 */
const LAYERS = {
  errors: { may: [], why: 'errors is the base layer: it imports nothing of ours' },
  json: { may: ['errors'], why: 'json is pure bounded parsing: it imports only errors' },
  format: { may: ['errors'], why: 'format is pure: it imports only errors' },
  policy: { may: ['format', 'errors'], why: 'policy is pure: it imports only format and errors' },
  tensors: { may: ['errors'], why: 'tensors is pure: it imports only errors' },
  report: { may: [], why: 'report is pure (data to SVG, DOT and HTML): it imports nothing of ours' },
  storage: { may: ['errors'], why: 'storage imports only errors (never policy)' },
  keras: {
    may: ['json', 'tensors', 'storage', 'errors'],
    why: 'keras is the framework-free Keras file layer: it imports only json, tensors, storage and errors',
  },
  checkpointer: {
    may: ['policy', 'format', 'storage', 'tensors', 'json', 'errors'],
    why: 'the checkpointer imports only policy, format, storage, tensors, json and errors (never adapters or keras)',
  },
  'adapters/tfjs': { may: ['*'], not: ['cli'], why: 'the tfjs adapter may import anything but the CLI' },
  cli: { may: ['*'], why: 'the CLI may import anything' },
  testing: { may: ['storage', 'errors'], why: 'ckpt/testing imports only storage and errors' },
  // The two sides of package.json's `#platform/*` (Node's, and the web's that browser builds get): leaves, but for
  // the BlockHasher type. Others import them as `#platform/<file>.js`, never by path.
  'platform/node': { may: ['checkpointer'], why: 'src/platform holds only the platform implementations behind #platform/*' },
  'platform/web': { may: ['checkpointer'], why: 'src/platform holds only the platform implementations behind #platform/*' },
}

/** The top-level folders of src/ an import can land in (`adapters` covers every adapter). */
const TARGETS = [
  'errors',
  'json',
  'format',
  'policy',
  'tensors',
  'report',
  'storage',
  'keras',
  'checkpointer',
  'adapters',
  'cli',
  'testing',
  'platform',
]

/** The explicit "never" rules of issue #9, quoted in the message when that edge is the one broken. */
const NEVER = {
  'policy->storage': 'policy, format and tensors never import storage, checkpointer or adapters',
  'policy->checkpointer': 'policy, format and tensors never import storage, checkpointer or adapters',
  'policy->adapters': 'policy, format and tensors never import storage, checkpointer or adapters',
  'format->storage': 'policy, format and tensors never import storage, checkpointer or adapters',
  'format->checkpointer': 'policy, format and tensors never import storage, checkpointer or adapters',
  'format->adapters': 'policy, format and tensors never import storage, checkpointer or adapters',
  'tensors->storage': 'policy, format and tensors never import storage, checkpointer or adapters',
  'tensors->checkpointer': 'policy, format and tensors never import storage, checkpointer or adapters',
  'tensors->adapters': 'policy, format and tensors never import storage, checkpointer or adapters',
  'storage->policy': 'storage never imports policy',
  'checkpointer->adapters': 'the checkpointer never imports adapters',
  'checkpointer->keras': 'the checkpointer never imports keras',
  'keras->adapters': 'keras never imports adapters',
}

/** Layers that must run anywhere: no Node built-ins. */
const PORTABLE = ['errors', 'json', 'format', 'policy', 'tensors', 'report', 'platform/web']

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** One `no-restricted-imports` entry per layer (flat config replaces a rule's options, so each layer gets exactly one). */
const layerRules = Object.entries(LAYERS).map(([layer, { may, not = [], why }]) => {
  const own = layer.split('/')[0]
  const forbidden = may.includes('*') ? not : TARGETS.filter((t) => t !== own && !may.includes(t))
  const patterns = forbidden.map((target) => ({
    regex: `^(\\.\\./)+${escape(target)}(/|$)`,
    message: `src/${layer} must not import src/${target}: ${NEVER[`${own}->${target}`] ?? why} (issue #9 layer rules).`,
  }))
  // The root barrel re-exports every layer, so importing it from a layer is an import of all of them.
  if (!may.includes('*')) {
    patterns.push({
      regex: `^(\\.\\./)+index(\\.js)?$`,
      message: `src/${layer} must not import the root barrel src/index.ts: ${why} (issue #9 layer rules).`,
    })
  }
  if (layer === 'keras') {
    patterns.push({
      regex: '^@tensorflow/',
      message:
        'src/keras must not import @tensorflow/*: the Keras file layer is framework-free; the tfjs mapping lives in src/adapters/tfjs (issue #9 item 5).',
    })
  }
  const paths = []
  if (PORTABLE.includes(layer)) {
    const message = `src/${layer} must not import Node built-ins: it is pure and runs anywhere (issue #9 layer rules).`
    patterns.push({ regex: '^node:', message })
    for (const name of builtinModules.filter((m) => !m.startsWith('_'))) paths.push({ name, message })
  }
  return {
    name: `ckpt/layers/${layer}`,
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  }
})

export default tseslint.config(
  {
    name: 'ckpt/ignores',
    // ESLint does not read .gitignore: the same generated folders, listed here.
    ignores: ['dist/', 'coverage/', 'checkpoints/', '**/.venv/', 'test/storage/.generated/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    name: 'ckpt/typescript',
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // One width, held: prettier wraps code at WIDTH; this catches what it cannot (comments, long identifiers).
      // Strings, template literals, regexes and URLs are skipped because prettier cannot break them either.
      'max-len': [
        'error',
        { code: WIDTH, tabWidth: 2, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    name: 'ckpt/tests',
    files: ['test/**/*.ts'],
    rules: {
      // Test fakes implement promise-returning interfaces with `async` so that their throws reject, as the real ones' do.
      '@typescript-eslint/require-await': 'off',
      // vitest types its asymmetric matchers (expect.stringMatching, expect.stringContaining, ...) as `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    name: 'ckpt/plain-js',
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  ...layerRules,
)
