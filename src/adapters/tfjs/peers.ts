/** The range package.json gives each tfjs peer dependency (`test/tfjs/peer-ranges.test.ts` keeps them equal). */
export const TFJS_RANGE = '^4.22.0'

/**
 * Whether a failed `import()` could not find the package `name`: Node's `ERR_MODULE_NOT_FOUND` (a bundler's
 * `MODULE_NOT_FOUND`) says "Cannot find package '<name>' imported from …".
 */
export const notInstalled = (e: unknown, name: string): boolean =>
  /MODULE_NOT_FOUND$/.test(String((e as { code?: unknown } | null)?.code)) && String(e).includes(`'${name}`)

/** What a missing tfjs package needs: `needs @tensorflow/x (^4.22.0), which is not installed: npm install …`. */
export const installHint = (name: string, install: string): string =>
  `needs ${name} (${TFJS_RANGE}), which is not installed: npm install ${install}`
