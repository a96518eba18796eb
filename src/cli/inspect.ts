import * as E from '#fp-ts/Either.js'
import { stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { boolFlag, type ParsedArgs } from './args.js'
import { defineCommand, type Command } from './command.js'
import { inputError, messageOf, type CliError } from './errors.js'
import { kindOf, readHead, readJson } from './files.js'
import { EXIT, type CliIO } from './io.js'
import { escapeLines, escapeText, formatBytes, table, toJson } from './render.js'
import { readSafetensorsHeader, type SafetensorsSummary } from './safetensors-header.js'
import { parseTfjsModel, type TfjsModel, type TfjsWeight } from './tfjs-model.js'

const help = `Usage: ckpt inspect FILE [--json]

Prints the tensors of a checkpoint file:
  - a safetensors file: each tensor's name, dtype and shape (in data order), and the metadata. Only the
    header is read, and it is validated as the safetensors reader does (offsets, sizes, file length);
  - a TensorFlow.js model (a model.json, or a folder holding one): the topology's class and top-level layers,
    each weight's name, dtype and shape, the optimizer and its weights when saved with includeOptimizer,
    and whether the weight files hold exactly the bytes the manifest needs.

Options:
  --json            machine-readable output
  -h, --help        this help

Exit codes: 0 printed; 1 a tfjs model's weight files are missing or have the wrong size;
2 bad flag, missing file, or a file that is neither a valid safetensors file nor a tfjs model.json.`

const elements = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)
const shapeText = (shape: ReadonlyArray<number>): string => `[${shape.join(', ')}]`
const count = (n: number, what: string): string => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`

const safetensorsReport = (file: string, s: SafetensorsSummary, json: boolean): string => {
  if (json)
    return toJson({
      file,
      kind: 'safetensors',
      fileBytes: s.fileBytes,
      headerBytes: s.headerBytes,
      dataBytes: s.dataBytes,
      metadata: Object.fromEntries(s.metadata),
      tensors: s.tensors.map((t) => ({
        name: t.name,
        dtype: t.dtype,
        shape: t.shape,
        dataOffsets: [t.begin, t.end],
        bytes: t.end - t.begin,
      })),
    })
  const total = s.tensors.reduce((n, t) => n + elements(t.shape), 0)
  const out = [
    `${file}: safetensors, ${count(s.tensors.length, 'tensor')}, ${count(total, 'element')}, data ${formatBytes(s.dataBytes)}, header ${formatBytes(s.headerBytes)}`,
  ]
  if (s.metadata.length > 0) {
    out.push('metadata:')
    for (const [k, v] of s.metadata) out.push(`  ${escapeText(k)}: ${escapeText(v.length > 200 ? `${v.slice(0, 197)}...` : v)}`)
  }
  if (s.tensors.length > 0)
    out.push(
      table(
        ['name', 'dtype', 'shape'],
        s.tensors.map((t) => [t.name, t.dtype, shapeText(t.shape)]),
      ),
    )
  return `${out.join('\n')}\n`
}

interface GroupCheck {
  readonly paths: ReadonlyArray<string>
  readonly expectedBytes: number | null
  readonly actualBytes: number | null
  readonly missing: ReadonlyArray<string>
}

/** Checks each manifest group's files next to model.json: all present, and exactly the bytes its weights need. */
const checkFiles = async (modelJson: string, model: TfjsModel): Promise<{ groups: GroupCheck[]; problems: string[] }> => {
  const folder = dirname(modelJson)
  const problems: string[] = []
  const groups: GroupCheck[] = []
  for (const [i, g] of model.groups.entries()) {
    const missing: string[] = []
    let actual = 0
    for (const p of g.paths) {
      if (isAbsolute(p) || /^[a-z][a-z0-9+.-]*:/i.test(p) || p.split(/[\\/]/).includes('..')) {
        // never stat outside the model's folder: absolute paths, URLs and '..' segments are refused unread
        problems.push(
          `weightsManifest[${i}]: path ${JSON.stringify(p)} is not inside the model's folder (absolute, a URL, or a '..' segment)`,
        )
        missing.push(p)
        continue
      }
      try {
        actual += (await stat(join(folder, p))).size
      } catch {
        missing.push(p)
      }
    }
    if (missing.length > 0)
      problems.push(
        `weightsManifest[${i}]: missing weight file${missing.length === 1 ? '' : 's'} ${missing.map((m) => JSON.stringify(m)).join(', ')}`,
      )
    else if (g.bytes !== null && actual !== g.bytes)
      problems.push(
        `weightsManifest[${i}]: the files ${g.paths.map((p) => JSON.stringify(p)).join(', ')} hold ${actual} bytes; its ${g.weights.length} weights need ${g.bytes}`,
      )
    groups.push({ paths: g.paths, expectedBytes: g.bytes, actualBytes: missing.length > 0 ? null : actual, missing })
  }
  return { groups, problems }
}

const jsonWeight = (w: TfjsWeight) => ({
  name: w.name,
  dtype: w.dtype,
  shape: w.shape,
  bytes: w.bytes,
  ...(w.group === null ? {} : { group: w.group }),
  ...(w.quantization === null ? {} : { quantization: w.quantization }),
})

const tfjsReport = (file: string, model: TfjsModel, checks: { groups: GroupCheck[]; problems: string[] }, json: boolean): string => {
  const all = model.groups.flatMap((g) => g.weights)
  const weights = all.filter((w) => w.group !== 'optimizer')
  const optimizer = all.filter((w) => w.group === 'optimizer')
  if (json)
    return toJson({
      file,
      kind: 'tfjs',
      format: model.format,
      generatedBy: model.generatedBy,
      convertedBy: model.convertedBy,
      topology: model.topology,
      weights: weights.map(jsonWeight),
      optimizer:
        model.optimizerClass === null && optimizer.length === 0
          ? null
          : { className: model.optimizerClass, weights: optimizer.map(jsonWeight) },
      files: checks.groups,
      problems: checks.problems,
    })
  const t = model.topology
  const what = [
    t.className ?? 'a model',
    t.name === null ? null : JSON.stringify(t.name),
    t.layers === null ? null : `${count(t.layers, 'layer')}${t.layerClasses.length > 0 ? ` (${t.layerClasses.join(', ')})` : ''}`,
    t.nodes === null ? null : count(t.nodes, 'graph node'),
  ].filter((x) => x !== null)
  const out = [`${file}: tfjs ${model.format ?? 'model'}${model.generatedBy ? ` (${model.generatedBy})` : ''}, ${what.join(' ')}`]
  const section = (title: string, ws: ReadonlyArray<TfjsWeight>) => {
    const bytes = ws.every((w) => w.bytes !== null) ? `, ${formatBytes(ws.reduce((n, w) => n + (w.bytes ?? 0), 0))}` : ''
    out.push(
      `${title} (${count(ws.length, 'weight')}, ${count(
        ws.reduce((n, w) => n + elements(w.shape), 0),
        'element',
      )}${bytes}):`,
    )
    if (ws.length > 0)
      out.push(
        table(
          ['name', 'dtype', 'shape'],
          ws.map((w) => [w.name, w.quantization === null ? w.dtype : `${w.dtype} (stored ${w.quantization})`, shapeText(w.shape)]),
        ),
      )
  }
  section('weights', weights)
  if (model.optimizerClass !== null || optimizer.length > 0) section(`optimizer ${model.optimizerClass ?? '(class unknown)'}`, optimizer)
  const files = checks.groups.flatMap((g) => g.paths)
  if (checks.problems.length === 0)
    out.push(`files: ${files.length === 0 ? 'none' : `${files.map(escapeText).join(', ')}: sizes match the manifest`}`)
  else for (const p of checks.problems) out.push(`PROBLEM  ${escapeText(p)}`)
  return `${out.join('\n')}\n`
}

/** True when the bytes start (after whitespace) with `{`: a JSON document, not a safetensors length prefix. */
const looksLikeJson = (head: Uint8Array): boolean => {
  for (const b of head) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue
    return b === 0x7b
  }
  return false
}

export const inspectCommand: Command = defineCommand({
  name: 'inspect',
  summary: 'print the tensors (name, dtype, shape) of a safetensors file or a tfjs model.json',
  help,
  flags: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1, names: 'FILE (a .safetensors file, a model.json or its folder)' },
  async run(a: ParsedArgs, io: CliIO): Promise<E.Either<CliError, number>> {
    const json = boolFlag(a, 'json')
    let file = a.positionals[0]!
    const kind = await kindOf(file)
    if (kind === null) return E.left(inputError(`no such file ${JSON.stringify(file)}`))
    if (kind === 'dir') {
      const inner = join(file, 'model.json')
      if ((await kindOf(inner)) !== 'file')
        return E.left(
          inputError(`${JSON.stringify(file)} is a folder without a model.json; expected a .safetensors file, a model.json or its folder`),
        )
      file = inner
    } else if (kind !== 'file') return E.left(inputError(`${JSON.stringify(file)} is not a regular file`))

    let tfjs = basename(file).endsWith('.json')
    if (!tfjs) {
      tfjs = looksLikeJson(await readHead(file, 64))
    }
    if (tfjs) {
      const doc = await readJson(file, 'tfjs model')
      if (E.isLeft(doc)) return doc
      const model = parseTfjsModel(doc.right)
      if (E.isLeft(model)) return E.left(inputError(`${file} is not a tfjs model.json: ${model.left}`))
      const checks = await checkFiles(file, model.right)
      io.stdout.write(json ? tfjsReport(file, model.right, checks, json) : escapeLines(tfjsReport(file, model.right, checks, json)))
      return E.right(checks.problems.length === 0 ? EXIT.ok : EXIT.problem)
    }
    let summary
    try {
      summary = await readSafetensorsHeader(file)
    } catch (e) {
      return E.left(inputError(`cannot read ${JSON.stringify(file)}: ${messageOf(e)}`))
    }
    if (E.isLeft(summary))
      return E.left(
        inputError(
          `${file} is not a valid safetensors file (${summary.left.message.replace(/^safetensors: /, '')}); expected a .safetensors file or a tfjs model.json`,
        ),
      )
    io.stdout.write(json ? safetensorsReport(file, summary.right, json) : escapeLines(safetensorsReport(file, summary.right, json)))
    return E.right(EXIT.ok)
  },
})
