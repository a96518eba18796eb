// Helpers for the picture tests (plot, report, simulate --dot/--svg): a strict XML parser, the marks of a timeline,
// a PNG decoder, real runs and the external tools (Graphviz's dot, librsvg's rsvg-convert).
import { DOMParser, type Document, type Element } from '@xmldom/xmldom'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { Storage } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from './support.js'

/**
 * Parses `text` as XML with @xmldom/xmldom, failing on any error or warning (a mismatched tag, an undefined entity,
 * a duplicate attribute): the documents ckpt writes must be well-formed for every XML reader. One warning is a
 * guess, not a rule, and is let through: U+FFFD (what ckpt writes for a lone surrogate) is a legal XML character.
 */
export const parseXml = (text: string, mime: 'image/svg+xml' | 'application/xhtml+xml' = 'image/svg+xml'): Document =>
  new DOMParser({
    onError: (level, message) => {
      if (level === 'warning' && /replacement character detected/.test(message)) return
      throw new Error(`not well-formed XML (${level}): ${message}`)
    },
  }).parseFromString(text, mime)

export const elements = (root: Document | Element, tag: string): Element[] => Array.from(root.getElementsByTagName(tag))

export const hasClass = (e: Element, cls: string): boolean => (e.getAttribute('class') ?? '').split(/\s+/).includes(cls)

/** The marks of one kind in a timeline (`<g class="mark KIND">`): their x and value as the SVG records them. */
export const marksOf = (doc: Document, kind: 'save' | 'skip' | 'deleted' | 'kept' | 'best'): Array<{ x: number; value: string }> =>
  elements(doc, 'g')
    .filter((g) => hasClass(g, 'mark') && hasClass(g, kind))
    .map((g) => ({ x: Number(g.getAttribute('data-x')), value: g.getAttribute('data-value') ?? '' }))

/** Why a command-line tool cannot run here (`tool --version` fails), or null. */
export const toolMissing = (tool: string, install: string): string | null => {
  const r = spawnSync(tool, ['-V'], { encoding: 'utf8' })
  return r.error ? `${tool} is not on PATH (${r.error.message}); install Debian's ${install}` : null
}

/** A decoded PNG: 8-bit RGBA pixels, row by row. */
export interface Png {
  readonly width: number
  readonly height: number
  /** The RGBA of the pixel that holds the point (x, y) of the image's coordinates. */
  pixel(x: number, y: number): [number, number, number, number]
}

/**
 * Decodes the PNGs rsvg-convert writes (8-bit RGBA or RGB, not interlaced): the IHDR, the IDAT chunks inflated,
 * each row un-filtered (PNG's five filters). Anything else throws.
 */
export const decodePng = (bytes: Uint8Array): Png => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error('not a PNG')
  let width = 0
  let height = 0
  let channels = 0
  const idat: Uint8Array[] = []
  for (let at = 8; at < bytes.length;) {
    const length = view.getUint32(at)
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8))
    const data = bytes.subarray(at + 8, at + 8 + length)
    if (type === 'IHDR') {
      width = view.getUint32(at + 8)
      height = view.getUint32(at + 12)
      const [depth, colour, , , interlace] = data.subarray(8, 13)
      if (depth !== 8 || (colour !== 6 && colour !== 2) || interlace !== 0)
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`)
      channels = colour === 6 ? 4 : 3
    } else if (type === 'IDAT') idat.push(data)
    at += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[y * stride + i - channels]! : 0
      const b = y > 0 ? pixels[(y - 1) * stride + i]! : 0
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels]! : 0
      const p = a + b - c
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]
      if (predictor === undefined) throw new Error(`unknown PNG filter ${filter}`)
      pixels[y * stride + i] = (line[i]! + predictor) & 0xff
    }
  }
  return {
    width,
    height,
    // The pixel that holds the point (x, y): pixel (i, j) covers [i, i + 1) × [j, j + 1).
    pixel: (x, y) => {
      const at = Math.floor(y) * stride + Math.floor(x) * channels
      return [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!, channels === 4 ? pixels[at + 3]! : 255]
    },
  }
}

/** `#rrggbb` as numbers. */
export const rgb = (hex: string): [number, number, number] =>
  [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]

/**
 * A real run: `logs` fed epoch by epoch to a Checkpointer with `options` (safetensors files), and the same epochs
 * written as a Keras CSVLogger log (`training.log`: header `epoch,<sorted metrics>`, `\r\n` rows, `nan` for NaN,
 * `NA` for a missing value) beside the folder. Returns the folder and the log's path.
 */
export const writeRun = async (
  dir: string,
  options: Record<string, unknown>,
  logs: ReadonlyArray<Record<string, number>>,
  storage: Storage = fsStorage(join(dir, 'run')),
): Promise<{ folder: string; log: string; policy: string }> => {
  const c = await createCheckpointer({ ...options, storage, ...quiet } as unknown as Parameters<typeof createCheckpointer>[0])
  for (const [epoch, l] of logs.entries()) await c.onEpochEnd({ epoch, logs: l }, tensorsFor(epoch))
  await c.close()
  const names = [...new Set(logs.flatMap((l) => Object.keys(l)))].sort()
  const cell = (v: number | undefined) => (v === undefined ? 'NA' : Number.isNaN(v) ? 'nan' : String(v))
  const csv = [['epoch', ...names].join(','), ...logs.map((l, i) => [String(i), ...names.map((n) => cell(l[n]))].join(','))]
  const log = join(dir, 'training.log')
  writeFileSync(log, `${csv.join('\r\n')}\r\n`)
  const policy = join(dir, 'policy.json')
  writeFileSync(policy, JSON.stringify(options))
  return { folder: join(dir, 'run'), log, policy }
}

/**
 * The run most picture tests draw, hand-checked: val_loss (min) over 10 epochs; saves at epochs 1, 2, 4, 7 and 9
 * (each improves on the best); skips at 3, 5 (NaN), 6, 8 and 10. saveTopK 2 deletes epoch 1 after the save of 4,
 * 2 after 7 and 4 after 9: 7 and 9 are kept, 9 is the best.
 */
export const SAMPLE_VAL: ReadonlyArray<number> = [0.9, 0.7, 0.8, 0.6, NaN, 0.65, 0.5, 0.55, 0.45, 0.6]
export const SAMPLE_OPTIONS = { filepath: 'e{epoch:02d}.safetensors', monitor: 'val_loss', saveBestOnly: true, saveTopK: 2 } as const

/** {@link SAMPLE_VAL}'s run in `dir` (with a falling `loss`), its log and policy file: see {@link writeRun}. */
export const writeSampleRun = (dir: string) =>
  writeRun(
    dir,
    SAMPLE_OPTIONS,
    SAMPLE_VAL.map((v, i) => ({ loss: 1 - i / 20, val_loss: v })),
  )
