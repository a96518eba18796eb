import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { decodeIndex } from '../../src/checkpointer/index-schema.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { ckpt } from '../cli/support.js'
import { quiet, tensorsFor } from '../checkpointer/support.js'

const dir = mkdtempSync(join(tmpdir(), 'ckpt-hostile-deep-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A valid index whose one entry's policyState is `deep` (JSON text). */
const withEntryPolicyState = (deep: string): string => {
  const file = `{"key":"e.safetensors","size":1,"sha256":"sha256:${'0'.repeat(64)}"}`
  const entry = `{"path":"e.safetensors","format":"safetensors","epoch":0,"step":0,"batch":null,"metrics":{},"score":null,"time":0,"files":[${file}],"policyState":${deep}}`
  return `{"format":"ckpt-index","version":1,"checkpoints":[${entry}],"replacing":[],"removing":[],"policyState":null}`
}

const deepIndexes: ReadonlyArray<[string, string]> = [
  ['a 5,000-deep array as the index', nested(5_000)],
  [
    'a 100,000-deep array in checkpoints',
    `{"format":"ckpt-index","version":1,"checkpoints":${nested(100_000)},"replacing":[],"removing":[],"policyState":null}`,
  ],
  ['a 5,000-deep policyState in an entry', withEntryPolicyState(nested(5_000))],
  [
    'a 65-deep object policyState at the root',
    `{"format":"ckpt-index","version":1,"checkpoints":[],"replacing":[],"removing":[],"policyState":${'{"a":'.repeat(65)}1${'}'.repeat(65)}}`,
  ],
]

describe('a deeply nested index is a typed CorruptIndex, quickly', () => {
  for (const [what, json] of deepIndexes) {
    it(`decodeIndex: ${what}`, () => {
      const started = Date.now()
      const r = decodeIndex(text(json))
      expect(E.isLeft(r) && r.left._tag).toBe('CorruptIndex')
      expect(E.isLeft(r) && r.left.message).toMatch(/more than 64 deep/)
      expect(Date.now() - started).toBeLessThan(1_000)
    })
  }

  it('an index nested 64 deep (the limit) still decodes', () => {
    const json = withEntryPolicyState(nested(64 - 3)) // root, checkpoints, entry, then the policy state
    expect(E.isRight(decodeIndex(text(json)))).toBe(true)
  })

  it('createCheckpointer rejects with a CkptError tagged CorruptIndex', async () => {
    for (const [, json] of deepIndexes) {
      const storage = memoryStorage()
      await storage.write(INDEX_KEY, text(json))
      const error = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(CkptError)
      expect((error as CkptError)._tag).toBe('CorruptIndex')
    }
  })

  it('ckpt verify exits 1 (index corrupt), not 2', async () => {
    writeFileSync(join(dir, INDEX_KEY), nested(5_000))
    const r = await ckpt(['verify', dir])
    expect(r.code).toBe(1)
    expect(r.stdout + r.stderr).toMatch(/more than 64 deep/)
  })

  it('a valid run still saves after the check (sanity)', async () => {
    const storage = memoryStorage()
    const c = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    await c.close()
    const again = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
    await again.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1))
    await again.close()
    expect(await storage.list()).toContain('e2.safetensors')
  })
})
