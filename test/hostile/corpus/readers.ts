import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { createCheckpointer, decodeSafetensors, formatTemplate, isCkptError } from '../../../src/index.js'
import { main } from '../../../src/cli/main.js'
import { decodeKerasArchive, decodeWeightsH5 } from '../../../src/keras/index.js'
import { loadH5 } from '../../../src/keras/h5.js'
import { fsStorage } from '../../../src/storage/fs.js'
import { memoryStorage } from '../../../src/storage/memory.js'
import type { TemplateValue } from '../../../src/format/index.js'

/** What a reader returns: a summary of what it read, or a failure (a thrown error or a Left) for the child to classify. */
export type Read = (input: string) => Promise<string>

/** A Left as a thrown value, so every failure is classified in one place. */
export class LeftValue extends Error {
  constructor(readonly value: unknown) {
    super('a Left')
  }
}

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new LeftValue(e.left)
  return e.right
}

/** Output kept from a CLI run: enough to show, bounded so a flood of output cannot be what costs memory. */
const MAX_KEPT = 64 * 1024

/** A CLI run's end, thrown so the child reports it with the other outcomes. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`exit ${code}`)
  }
}

const cli = async (argv: ReadonlyArray<string>): Promise<string> => {
  let stdout = ''
  let stderr = ''
  const keep = (kept: string, s: string): string => (kept.length < MAX_KEPT ? kept + s.slice(0, MAX_KEPT - kept.length) : kept)
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout = keep(stdout, s)) },
    stderr: { write: (s: string) => (stderr = keep(stderr, s)) },
    env: {},
  })
  throw new CliExit(code, stdout, stderr)
}

/** `name=value` CLI arguments as template values: integers as bigint, other numbers as floats, the rest as text. */
const templateValue = (text: string): TemplateValue =>
  /^-?\d+$/.test(text) ? BigInt(text) : text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text

interface TemplateInput {
  readonly template: string
  readonly values: Readonly<Record<string, string>>
}

/** Template and key cases come as a JSON file: an argument list could hold neither 10 MB nor a lone surrogate. */
const jsonInput = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T

const quiet = { log: () => undefined }

/** The readers that need no TensorFlow.js, by the names `readersOf` uses. */
export const coreReaders: Readonly<Record<string, Read>> = {
  decodeSafetensors: async (path) => `${Object.keys(right(decodeSafetensors(await readFile(path))).tensors).length} tensors`,
  decodeKerasArchive: async (path) => {
    const archive = right(await decodeKerasArchive(await readFile(path), path))
    return `keras ${archive.weights.groups.length} groups`
  },
  decodeWeightsH5: async (path) => `${right(await decodeWeightsH5(await readFile(path), path)).groups.length} groups`,
  'createCheckpointer restore': async (dir) => {
    const c = await createCheckpointer({ storage: fsStorage(dir), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
    try {
      const r = await c.restore('latest')
      return r === null ? 'nothing to restore' : `restored epoch ${r.entry.epoch} (${Object.keys(r.value).length} tensors)`
    } finally {
      await c.close()
    }
  },
  'ckpt ls': (dir) => cli(['ls', dir]),
  'ckpt verify': (dir) => cli(['verify', dir]),
  'ckpt inspect': (path) => cli(['inspect', path]),
  'ckpt simulate': (path) =>
    cli(['simulate', '--config', join(dirname(path), 'policy.json'), path.endsWith('.jsonl') ? '--events' : '--csv', path]),
  formatTemplate: async (path) => {
    const { template, values } = await jsonInput<TemplateInput>(path)
    const text = right(formatTemplate(template, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, templateValue(v)]))))
    return `${text.length} characters`
  },
  'ckpt format': async (path) => {
    const { template, values } = await jsonInput<TemplateInput>(path)
    return cli(['format', template, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)])
  },
  'fsStorage write': async (path) => {
    const key = await jsonInput<string>(path)
    const { mkdtemp } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const storage = fsStorage(await mkdtemp(join(tmpdir(), 'ckpt-corpus-key-')))
    await storage.write(key, new Uint8Array([1, 2, 3]))
    return `${(await storage.read(key)).length} bytes back`
  },
  'memoryStorage write': async (path) => {
    const key = await jsonInput<string>(path)
    const storage = memoryStorage()
    await storage.write(key, new Uint8Array([1, 2, 3]))
    return `${(await storage.read(key)).length} bytes back`
  },
}

/** Loads what a reader loads on first use (h5wasm's heap), so the memory measured is the reader's own. */
export const warmUp = async (reader: string): Promise<void> => {
  if (reader === 'decodeWeightsH5' || reader === 'decodeKerasArchive') await loadH5()
}

export const isTyped = (e: unknown): string | null => {
  const value = e instanceof LeftValue ? e.value : e
  if (isCkptError(value)) return value._tag
  if (e instanceof LeftValue && typeof value === 'object' && value !== null && '_tag' in value && typeof value._tag === 'string')
    return value._tag
  return null
}
