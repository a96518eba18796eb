/**
 * The hostile corpus: every input is generated here (nothing binary is committed). Each case names what every
 * reader of its kind must do with it (case.ts); corpus.test.ts runs them all with a time and memory budget.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { INDEX_KEY } from '../../../src/checkpointer/index.js'
import { encodeWeightsH5 } from '../../../src/keras/h5.js'
import { encodeZip } from '../../../src/keras/zip.js'
import type { Expected, HostileCase } from './case.js'
import { rawZip, storedEntry, zerosEntry } from '../support/zip-bomb.js'
import { deepJson, safetensorsBytes, savedFile, savedFolder, storedEntries } from './make.js'

const put = (path: string, bytes: Uint8Array | string): string => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, bytes)
  return path
}

const indexOf = (dir: string): Record<string, unknown> & { checkpoints: Array<Record<string, unknown>> } =>
  JSON.parse(readFileSync(join(dir, INDEX_KEY), 'utf8')) as Record<string, unknown> & { checkpoints: Array<Record<string, unknown>> }

/** A folder of two safetensors checkpoints (epochs 0 and 1) changed by `spoil`, which gets the folder and the paths. */
const spoiled =
  (spoil: (dir: string, paths: ReadonlyArray<string>) => void) =>
  async (dir: string): Promise<string> => {
    const paths = await savedFolder(dir, 'safetensors')
    spoil(dir, paths)
    return dir
  }

const withIndex = (text: string | Uint8Array) => spoiled((dir) => writeFileSync(join(dir, INDEX_KEY), text))
const editIndex = (edit: (index: ReturnType<typeof indexOf>) => void) =>
  spoiled((dir) => {
    const index = indexOf(dir)
    edit(index)
    writeFileSync(join(dir, INDEX_KEY), JSON.stringify(index))
  })
const latestFile = (dir: string, paths: ReadonlyArray<string>): string => join(dir, paths[paths.length - 1] as string)

const mkfifo = (path: string): void => {
  execFileSync('mkfifo', [path])
}

/** A run whose index file, or latest checkpoint file, is replaced by what `place` puts at its path. */
const indexReplacedBy = (place: (path: string) => void) =>
  spoiled((dir) => {
    unlinkSync(join(dir, INDEX_KEY))
    place(join(dir, INDEX_KEY))
  })
const latestReplacedBy = (place: (path: string) => void) =>
  spoiled((dir, paths) => {
    unlinkSync(latestFile(dir, paths))
    place(latestFile(dir, paths))
  })

/** The latest checkpoint is broken: a restore falls back to epoch 0, `verify` reports it, `ls` lists both. */
const latestBroken: Readonly<Record<string, Expected>> = {
  'createCheckpointer restore': /^restored epoch 0 /,
  'ckpt ls': /^exit 0/,
  'ckpt verify': 'error',
  'tfjs restoreLatest': 'error',
}
/** A readable safetensors run: restores epoch 1; tfjs refuses it by its format (it holds no tfjs model). */
const readable: Readonly<Record<string, Expected>> = {
  'createCheckpointer restore': /^restored epoch 1 /,
  'ckpt ls': /^exit 0/,
  'ckpt verify': /^exit 0/,
  'tfjs restoreLatest': 'error',
}

const junk = (dir: string, n: number): void => {
  mkdirSync(join(dir, 'junk'), { recursive: true })
  for (let i = 0; i < n; i++) writeFileSync(join(dir, 'junk', `f${i}.safetensors`), `junk ${i}`)
}

const folders: ReadonlyArray<HostileCase> = [
  { name: 'a valid run (control)', kind: 'folder', expect: 'error', readers: readable, make: spoiled(() => undefined) },
  {
    name: '10,000 junk files beside the run',
    kind: 'folder',
    expect: 'error',
    readers: readable,
    make: spoiled((dir) => junk(dir, 10_000)),
  },
  {
    name: '10,000 junk files and no index (rebuilt by scanning)',
    kind: 'folder',
    expect: 'error',
    readers: readable,
    make: spoiled((dir) => {
      junk(dir, 10_000)
      unlinkSync(join(dir, INDEX_KEY))
    }),
  },
  {
    name: 'symlink loops and no index',
    kind: 'folder',
    expect: 'error',
    readers: readable,
    make: spoiled((dir) => {
      symlinkSync('.', join(dir, 'loop'))
      symlinkSync(join(dir, 'b'), join(dir, 'a'))
      symlinkSync(join(dir, 'a'), join(dir, 'b'))
      unlinkSync(join(dir, INDEX_KEY))
    }),
  },
  { name: 'index is not JSON', kind: 'folder', expect: 'error', make: withIndex('{{{') },
  { name: 'index nested 100,000 deep', kind: 'folder', expect: 'error', make: withIndex(deepJson(100_000)) },
  { name: 'index is one 10 MB string', kind: 'folder', expect: 'error', make: withIndex(JSON.stringify('x'.repeat(10_000_000))) },
  {
    name: 'index is not UTF-8',
    kind: 'folder',
    expect: 'error',
    make: withIndex(Uint8Array.of(0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d)),
  },
  { name: 'index from a future version', kind: 'folder', expect: 'error', make: editIndex((i) => (i['version'] = 99)) },
  {
    name: 'index entry file key ../outside.safetensors',
    kind: 'folder',
    expect: 'error',
    make: editIndex((i) => {
      for (const e of i.checkpoints) (e['files'] as Array<Record<string, unknown>>)[0]!['key'] = '../outside.safetensors'
    }),
  },
  {
    name: 'index entry path /etc/passwd',
    kind: 'folder',
    expect: 'error',
    make: editIndex((i) => {
      for (const e of i.checkpoints) {
        e['path'] = '/etc/passwd'
        ;(e['files'] as Array<Record<string, unknown>>)[0]!['key'] = '/etc/passwd'
      }
    }),
  },
  {
    name: 'index file size 1e300',
    kind: 'folder',
    expect: 'error',
    make: editIndex((i) => {
      for (const e of i.checkpoints) (e['files'] as Array<Record<string, unknown>>)[0]!['size'] = 1e300
    }),
  },
  {
    // a key names a file; a folder there is no index (as an S3 prefix would be), so the run is rebuilt by scanning
    name: 'index is a folder',
    kind: 'folder',
    expect: 'error',
    // readers rebuild in memory; a chief Checkpointer must write the rebuilt index, and cannot
    readers: { ...readable, 'createCheckpointer restore': 'error' },
    make: indexReplacedBy(mkdirSync),
  },
  {
    name: 'index is a FIFO',
    kind: 'folder',
    expect: 'error',
    make: indexReplacedBy(mkfifo),
  },
  {
    // not corruption but a storage failure ("not a regular file"): a restore rejects naming it rather than rewind
    name: 'the latest checkpoint is a FIFO',
    kind: 'folder',
    expect: 'error',
    readers: { ...latestBroken, 'createCheckpointer restore': 'error' },
    make: latestReplacedBy(mkfifo),
  },
  {
    name: 'the latest checkpoint is cut in half',
    kind: 'folder',
    expect: 'error',
    readers: latestBroken,
    make: spoiled((dir, paths) => truncateSync(latestFile(dir, paths), 40)),
  },
  {
    name: 'the latest checkpoint is a symlink to /etc/passwd',
    kind: 'folder',
    expect: 'error',
    readers: latestBroken,
    make: latestReplacedBy((path) => symlinkSync('/etc/passwd', path)),
  },
  {
    name: 'every checkpoint is corrupt',
    kind: 'folder',
    expect: 'error',
    readers: { 'ckpt ls': /^exit 0/ },
    make: spoiled((dir, paths) => {
      for (const p of paths) truncateSync(join(dir, p), 40)
    }),
  },
  {
    name: 'a valid tfjs run (control)',
    kind: 'folder',
    expect: 'error',
    readers: { 'tfjs restoreLatest': /^restored, initialEpoch 2$/, 'ckpt ls': /^exit 0/, 'ckpt verify': /^exit 0/ },
    make: async (dir) => {
      await savedFolder(dir, 'tfjs-layers')
      return dir
    },
  },
]

const header = (tensors: Record<string, unknown>): string => JSON.stringify(tensors)
const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] })
const safetensors = (name: string, bytes: () => Uint8Array, expect: Expected = 'error', budget?: HostileCase['budget']): HostileCase => ({
  name,
  kind: 'safetensors',
  expect,
  ...(budget === undefined ? {} : { budget }),
  make: (dir) => put(join(dir, 'x.safetensors'), bytes()),
})

const TENSORS = 50_000
const safetensorsFiles: ReadonlyArray<HostileCase> = [
  safetensors('header length 2^63', () => safetensorsBytes('{}', undefined, 2n ** 63n)),
  safetensors('header length past the end', () => safetensorsBytes('{}', undefined, 1000n)),
  safetensors('header is not JSON', () => safetensorsBytes('{"a":')),
  safetensors('header nested 100,000 deep', () => safetensorsBytes(deepJson(100_000))),
  safetensors('header not UTF-8', () => {
    const b = safetensorsBytes('{"\u00ff":{}}')
    b[10] = 0xff
    return b
  }),
  safetensors('header with a lone surrogate escape', () =>
    safetensorsBytes('{"\\ud800":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}', new Uint8Array(4)),
  ),
  safetensors('offsets past the data', () => safetensorsBytes(header({ a: f32([2], 0, 8) }), new Uint8Array(4))),
  safetensors('overlapping offsets', () => safetensorsBytes(header({ a: f32([2], 0, 8), b: f32([2], 4, 12) }), new Uint8Array(12))),
  safetensors('shape overflowing 2^53 elements', () =>
    safetensorsBytes(header({ a: f32([2 ** 30, 2 ** 30, 2 ** 30], 0, 4) }), new Uint8Array(4)),
  ),
  safetensors('unknown dtype', () =>
    safetensorsBytes(header({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }), new Uint8Array(16)),
  ),
  safetensors('an empty file', () => new Uint8Array(0)),
  safetensors('seven bytes', () => new Uint8Array(7)),
  safetensors(
    `${TENSORS.toLocaleString('en-US')} tensors (valid)`,
    () => {
      const tensors: Record<string, unknown> = {}
      for (let i = 0; i < TENSORS; i++) tensors[`t${String(i).padStart(6, '0')}`] = f32([1], 4 * i, 4 * i + 4)
      return safetensorsBytes(header(tensors), new Uint8Array(4 * TENSORS))
    },
    /^50000 tensors$|^exit 0/,
    {
      ms: 15_000,
      bytes: 256 * 2 ** 20,
      why: 'a 3.2 MB header of 50,000 tensors: each decoded tensor is an object, a shape and a typed-array view (1.8 s on a quiet 2-core machine, 5.9 s at a load of 10)',
    },
  ),
]

/** A `.keras` ckpt wrote (a Dense 256→256), its entries changed by `edit`. */
const kerasWith =
  (edit: (entries: Array<{ name: string; data: Uint8Array }>) => Array<{ name: string; data: Uint8Array }>) =>
  async (dir: string): Promise<string> => {
    const entries = edit([...storedEntries(await savedFile(dir, 'keras-model'))])
    const zip = encodeZip(entries)
    if (E.isLeft(zip)) throw new Error(zip.left.message)
    return put(join(dir, 'model.keras'), zip.right)
  }
const kerasBytes = (edit: (zip: Uint8Array) => Uint8Array) => async (dir: string) =>
  put(join(dir, 'model.keras'), edit(await savedFile(dir, 'keras-model')))
const endOfCentral = (zip: Uint8Array): DataView => new DataView(zip.buffer, zip.byteOffset + zip.length - 22, 22)
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const kerasFiles: ReadonlyArray<HostileCase> = [
  {
    name: 'a valid .keras (control)',
    kind: 'keras',
    expect: 'error',
    readers: { decodeKerasArchive: /^keras \d+ groups$/, 'tfjs loadKerasModel': /^keras model of 1 layers$/ },
    make: kerasWith((entries) => entries),
  },
  { name: 'not a zip', kind: 'keras', expect: 'error', make: (dir) => put(join(dir, 'model.keras'), new Uint8Array(4096).fill(7)) },
  { name: 'a zip cut in half', kind: 'keras', expect: 'error', make: kerasBytes((zip) => zip.slice(0, zip.length >> 1)) },
  {
    name: 'no model.weights.h5',
    kind: 'keras',
    expect: 'error',
    make: kerasWith((entries) => entries.filter((e) => e.name !== 'model.weights.h5')),
  },
  {
    name: 'config.json nested 100,000 deep',
    kind: 'keras',
    expect: 'error',
    make: kerasWith((entries) => entries.map((e) => (e.name === 'config.json' ? { name: e.name, data: utf8(deepJson(100_000)) } : e))),
  },
  {
    name: 'model.weights.h5 is not HDF5',
    kind: 'keras',
    expect: 'error',
    make: kerasWith((entries) =>
      entries.map((e) => (e.name === 'model.weights.h5' ? { name: e.name, data: new Uint8Array(4096).fill(1) } : e)),
    ),
  },
  {
    name: 'model.weights.h5 declares 5 bytes and inflates to 1 GiB',
    kind: 'keras',
    expect: 'error',
    make: async (dir) => {
      const entries = storedEntries(await savedFile(dir, 'keras-model'))
      const bomb = entries.map((e) => (e.name === 'model.weights.h5' ? zerosEntry(e.name, 1 << 30, 5) : storedEntry(e.name, e.data)))
      return put(join(dir, 'model.keras'), rawZip(bomb))
    },
  },
  {
    name: 'three unneeded entries of 1 GiB each (valid)',
    kind: 'keras',
    expect: 'error',
    readers: { decodeKerasArchive: /^keras \d+ groups$/, 'tfjs loadKerasModel': /^keras model of 1 layers$/ },
    make: async (dir) => {
      const entries = storedEntries(await savedFile(dir, 'keras-model')).map((e) => storedEntry(e.name, e.data))
      const junk = [1, 2, 3].map((i) => zerosEntry(`assets/junk${i}.bin`, 1 << 30))
      return put(join(dir, 'model.keras'), rawZip([...entries, ...junk]))
    },
  },
  {
    name: 'central directory offset past the end',
    kind: 'keras',
    expect: 'error',
    make: kerasBytes((zip) => {
      const out = zip.slice()
      endOfCentral(out).setUint32(16, 0xfffffff0, true)
      return out
    }),
  },
  {
    name: 'end record claims 65,535 entries',
    kind: 'keras',
    expect: 'error',
    make: kerasBytes((zip) => {
      const out = zip.slice()
      endOfCentral(out).setUint16(8, 0xffff, true)
      endOfCentral(out).setUint16(10, 0xffff, true)
      return out
    }),
  },
]

const h5File = (name: string, bytes: (valid: Uint8Array) => Uint8Array): HostileCase => ({
  name,
  kind: 'weights-h5',
  expect: 'error',
  make: async (dir) => {
    const valid = await encodeWeightsH5({
      groups: [
        { path: 'layers/dense', name: 'dense', vars: [{ dtype: 'float32', shape: [64, 64], data: new Float32Array(4096).fill(0.5) }] },
      ],
    })
    if (E.isLeft(valid)) throw new Error(valid.left.message)
    return put(join(dir, 'model.weights.h5'), bytes(valid.right))
  },
})

const h5Files: ReadonlyArray<HostileCase> = [
  { ...h5File('a valid .weights.h5 (control)', (valid) => valid), readers: { decodeWeightsH5: /^1 groups$/ } },
  h5File('not HDF5', () => new Uint8Array(4096).fill(3)),
  h5File('the HDF5 signature then zeros', (valid) => {
    const out = new Uint8Array(valid.length)
    out.set(valid.subarray(0, 8))
    return out
  }),
  h5File('cut in half', (valid) => valid.slice(0, valid.length >> 1)),
  h5File('cut after the superblock', (valid) => valid.slice(0, 96)),
]

/** A tfjs model.json ckpt wrote (Dense 256→256) in `dir/model`, changed by `edit`; the reader gets the model.json path. */
const tfjsModel =
  (edit: (json: Record<string, unknown>, dir: string) => unknown = (json) => json) =>
  async (dir: string): Promise<string> => {
    const run = join(dir, 'run')
    const [path] = await savedFolder(run, 'tfjs-layers', 1)
    const file = join(run, path as string)
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    const edited = edit(json, dirname(file))
    if (typeof edited === 'string') writeFileSync(file, edited)
    else writeFileSync(file, JSON.stringify(edited))
    return file
  }
type Manifest = Array<{ paths: string[]; weights: Array<{ shape: number[] }> }>

const modelJsons: ReadonlyArray<HostileCase> = [
  { name: 'a valid model.json (control)', kind: 'model-json', expect: /^exit 0|^model of 1 layers$/, make: tfjsModel() },
  { name: 'model.json nested 100,000 deep', kind: 'model-json', expect: 'error', make: tfjsModel(() => deepJson(100_000)) },
  { name: 'model.json is null', kind: 'model-json', expect: 'error', make: tfjsModel(() => 'null') },
  {
    name: 'weights path ../../../../etc/passwd',
    kind: 'model-json',
    expect: 'error',
    make: tfjsModel((json) => {
      for (const g of json['weightsManifest'] as Manifest) g.paths = ['../../../../etc/passwd']
      return json
    }),
  },
  {
    name: 'a weight file cut short',
    kind: 'model-json',
    expect: 'error',
    make: tfjsModel((json, dir) => {
      for (const g of json['weightsManifest'] as Manifest) for (const p of g.paths) truncateSync(join(dir, p), 100)
      return json
    }),
  },
  {
    name: 'a weight of shape [1e9, 1e9]',
    kind: 'model-json',
    expect: 'error',
    make: tfjsModel((json) => {
      for (const g of json['weightsManifest'] as Manifest) g.weights[0]!.shape = [1e9, 1e9]
      return json
    }),
  },
]

/** A training log beside its `policy.json`, as `ckpt simulate` reads them. */
const log = (name: string, file: string, text: () => string, expect: Expected = 'error', budget?: HostileCase['budget']): HostileCase => ({
  name,
  kind: file.endsWith('.jsonl') ? 'jsonl-log' : 'csv-log',
  expect,
  ...(budget === undefined ? {} : { budget }),
  make: (dir) => {
    put(join(dir, 'policy.json'), JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'loss' }))
    return put(join(dir, file), text())
  },
})

/** A valid log of 100,000 events: simulate keeps each event's decision and messages for the summary and retention's replay. */
const LONG_LOG = {
  ms: 15_000,
  bytes: 384 * 2 ** 20,
  why: 'simulate holds every decision of 100,000 events (about 2 kB each) to print them and replay retention',
}

const logs: ReadonlyArray<HostileCase> = [
  log('a CSV value of 10M digits', 'training.log', () => `epoch,loss\n0,${'1'.repeat(10_000_000)}\n`),
  log('a CSV quote left open for 5 MB', 'training.log', () => `epoch,loss\n0,"${'1'.repeat(5_000_000)}\n`),
  log(
    'a CSV of 100,000 epochs (valid)',
    'training.log',
    () => `epoch,loss\n${Array.from({ length: 100_000 }, (_, i) => `${i},${1 / (i + 1)}`).join('\n')}\n`,
    /^exit 0/,
    LONG_LOG,
  ),
  log('a JSON line nested 100,000 deep', 'history.jsonl', () => `{"epoch":0,"logs":{"loss":${deepJson(100_000)}}}\n`),
  log('a JSON line of 10 MB', 'history.jsonl', () => `{"epoch":0,"logs":{"${'m'.repeat(10_000_000)}":1,"loss":1}}\n`),
  log(
    '100,000 JSON lines (valid)',
    'history.jsonl',
    () => Array.from({ length: 100_000 }, (_, i) => `{"epoch":${i},"logs":{"loss":${1 / (i + 1)}}}`).join('\n'),
    /^exit 0/,
    LONG_LOG,
  ),
]

const template = (name: string, t: string, values: Record<string, string>, expect: Expected = 'error'): HostileCase => ({
  name,
  kind: 'template',
  expect,
  make: (dir) => put(join(dir, 'template.json'), JSON.stringify({ template: t, values })),
})

const templates: ReadonlyArray<HostileCase> = [
  template('a width of 4e8 taken from a value', '{val_loss:{w}f}', { val_loss: '0.5', w: '400000000' }),
  template('a precision of 999,999,999', '{val_loss:.999999999f}', { val_loss: '0.5' }),
  template('format specs nested 50,000 deep', `${'{x:'.repeat(50_000)}${'}'.repeat(50_000)}`, { x: '1' }),
  template('100,000 escaped braces (valid)', `${'{'.repeat(100_000)}x${'}'.repeat(100_000)}`, { x: '1' }, /^100001 characters$|^exit 0/),
  template('a 10 MB literal', `${'a'.repeat(10_000_000)}{x}`, { x: '1' }),
  template('a width of exactly the limit (valid)', '{x:1000000}', { x: 'a' }, /^1000000 characters$|^exit 0/),
]

const key = (name: string, text: string): HostileCase => ({
  name,
  kind: 'key',
  expect: 'error',
  make: (dir) => put(join(dir, 'key.json'), JSON.stringify(text)),
})
const keys: ReadonlyArray<HostileCase> = [
  key('a lone surrogate', 'ck-\ud800.bin'),
  key('a newline', 'a\nb'),
  key('an escape sequence', 'a\u001b[2Jb'),
  key('2,000 bytes', 'k'.repeat(2_000)),
  key('a .. segment', '../outside.bin'),
  key('an absolute path', '/etc/passwd'),
  key('empty', ''),
]

export const CORPUS: ReadonlyArray<HostileCase> = [
  ...folders,
  ...safetensorsFiles,
  ...kerasFiles,
  ...h5Files,
  ...modelJsons,
  ...logs,
  ...templates,
  ...keys,
]
