import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storageIOHandler } from '../../src/adapters/tfjs/io-handler.js'
import { fsStorage } from '../../src/storage/fs.js'
import { decodeSafetensors, encodeSafetensorsOrThrow, type Tensors } from '../../src/tensors/index.js'
import { concat } from '../tensors/arbitraries.js'
import { ckpt, STACK_LINE, tempDir } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

interface SafetensorsJson {
  kind: string
  fileBytes: number
  headerBytes: number
  dataBytes: number
  metadata: Record<string, string>
  tensors: Array<{ name: string; dtype: string; shape: number[]; dataOffsets: [number, number]; bytes: number }>
}

interface TfjsJson {
  kind: string
  format: string | null
  topology: { className: string | null; layers: number | null; layerClasses: string[] }
  weights: Array<{ name: string; dtype: string; shape: number[]; bytes: number | null }>
  optimizer: { className: string | null; weights: Array<{ name: string; shape: number[] }> } | null
  files: Array<{ paths: string[]; expectedBytes: number | null; actualBytes: number | null; missing: string[] }>
  problems: string[]
}

const tensors: Tensors = {
  'dense/kernel': { dtype: 'F32', shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i / 7) },
  'dense/bias': { dtype: 'F32', shape: [4], data: new Float32Array(4) },
  'embedding/table': { dtype: 'BF16', shape: [5, 2], data: new Uint8Array(20) },
  step: { dtype: 'I64', shape: [], data: BigInt64Array.of(42n) },
  mask: { dtype: 'BOOL', shape: [2, 0, 3], data: new Uint8Array(0) },
}

describe('ckpt inspect on a safetensors file written by encodeSafetensors', () => {
  const file = join(tmp.dir, 'model.safetensors')
  beforeAll(() => writeFileSync(file, concat(encodeSafetensorsOrThrow(tensors, { ckpt: '{"epoch":2}', format: 'pt' }))))

  it('--json lists exactly the tensors and metadata decodeSafetensors reads, in data order', async () => {
    const r = await ckpt(['inspect', file, '--json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const out = JSON.parse(r.stdout) as SafetensorsJson
    const bytes = new Uint8Array(readFileSync(file))
    const decoded = decodeSafetensors(bytes)
    if (E.isLeft(decoded)) throw new Error(decoded.left.message)
    expect(out.kind).toBe('safetensors')
    expect(out.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(
      Object.entries(decoded.right.tensors).map(([n, t]) => [n, t.dtype, [...t.shape]]),
    )
    expect(out.tensors.map((t) => t.bytes)).toEqual(Object.values(decoded.right.tensors).map((t) => t.data.byteLength))
    expect(out.metadata).toEqual({ ...decoded.right.metadata })
    expect(out.fileBytes).toBe(bytes.length)
    expect(8 + out.headerBytes + out.dataBytes).toBe(bytes.length)
    expect(Object.fromEntries(out.tensors.map((t) => [t.name, t.shape]))).toEqual(
      Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, t.shape])),
    )
  })

  it('prints a name / dtype / shape table and the metadata', async () => {
    const r = await ckpt(['inspect', file])
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^.*model\.safetensors: safetensors, 5 tensors, 27 elements, data \d+ B, header \d+ B$/)
    expect(lines).toContain('  ckpt: {"epoch":2}')
    expect(lines).toContainEqual(expect.stringMatching(/^dense\/kernel\s+F32\s+\[3, 4\]$/))
    expect(lines).toContainEqual(expect.stringMatching(/^step\s+I64\s+\[\]$/))
    expect(lines).toContainEqual(expect.stringMatching(/^mask\s+BOOL\s+\[2, 0, 3\]$/))
  })

  it('rejects what decodeSafetensors rejects (truncated data, bad header length, not JSON) with exit 2', async () => {
    const good = new Uint8Array(readFileSync(file))
    const corrupt: Array<[string, Uint8Array]> = [
      ['truncated', good.subarray(0, good.length - 1)],
      ['extra byte', concat([good, new Uint8Array(1)])],
      [
        'huge header length',
        (() => {
          const b = good.slice()
          new DataView(b.buffer).setBigUint64(0, 1n << 40n, true)
          return b
        })(),
      ],
      ['tiny', new Uint8Array([1, 2, 3])],
      [
        'not json',
        (() => {
          const b = good.slice()
          b[8] = 0x5b
          return b
        })(),
      ],
    ]
    for (const [what, bytes] of corrupt) {
      const p = join(tmp.dir, `bad-${what.replace(/ /g, '-')}.safetensors`)
      writeFileSync(p, bytes)
      const reference = decodeSafetensors(bytes)
      expect(E.isLeft(reference), what).toBe(true)
      const r = await ckpt(['inspect', p])
      expect(r.code, what).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr, what).toContain('is not a valid safetensors file')
      if (E.isLeft(reference)) expect(r.stderr, what).toContain(reference.left.message.replace(/^safetensors: /, ''))
      expect(r.stderr).not.toMatch(STACK_LINE)
    }
  })
})

describe('ckpt inspect on a tfjs model saved by tfjs-layers through storageIOHandler', () => {
  const dir = join(tmp.dir, 'tfjs')
  let model: tfl.Sequential
  let optimizerNames: string[] = []
  beforeAll(async () => {
    await tf.setBackend('cpu')
    model = tfl.sequential({ name: 'tiny' })
    model.add(tfl.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }))
    model.add(tfl.layers.dropout({ rate: 0.1 }))
    model.add(tfl.layers.dense({ units: 1 }))
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
    const x = tf.randomNormal([8, 3], 0, 1, 'float32', 1)
    const y = tf.randomNormal([8, 1], 0, 1, 'float32', 2)
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 })
    tf.dispose([x, y])
    await model.save(storageIOHandler(fsStorage(dir), 'run/model.json'), { includeOptimizer: true })
    optimizerNames = (await model.optimizer.getWeights()).map((w) => w.name)
  })
  afterAll(() => model?.dispose())

  it('--json lists the model weights (name, dtype, shape), the topology and the optimizer weights', async () => {
    const r = await ckpt(['inspect', join(dir, 'run', 'model.json'), '--json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as TfjsJson
    expect(out.kind).toBe('tfjs')
    expect(out.format).toBe('layers-model')
    expect(out.topology).toMatchObject({ className: 'Sequential', layers: 3, layerClasses: ['Dense', 'Dropout', 'Dense'] })
    expect(out.weights.map((w) => [w.dtype, w.shape])).toEqual(model.weights.map((w) => [w.dtype, w.shape]))
    expect(out.weights.map((w) => w.name)).toEqual(model.weights.map((w) => w.originalName))
    expect(out.optimizer?.className).toBe('Adam')
    expect(out.optimizer?.weights.map((w) => w.name)).toEqual(optimizerNames)
    expect(out.problems).toEqual([])
    expect(out.files[0]!.actualBytes).toBe(out.files[0]!.expectedBytes)
  })

  it('accepts the folder holding model.json, and prints the weights and optimizer sections', async () => {
    const r = await ckpt(['inspect', join(dir, 'run')])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /tfjs layers-model \(TensorFlow\.js tfjs-layers v[\d.]+\), Sequential "tiny" 3 layers \(Dense, Dropout, Dense\)/,
    )
    expect(r.stdout).toContain(`weights (4 weights, ${3 * 4 + 4 + 4 + 1} elements, ${(3 * 4 + 4 + 4 + 1) * 4} B):`)
    expect(r.stdout).toMatch(/^optimizer Adam \(\d+ weights/m)
    expect(r.stdout).toMatch(/sizes match the manifest$/m)
  })
})

describe('ckpt inspect on a hand-written model.json', () => {
  const dir = join(tmp.dir, 'hand')
  const manifest = {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'm', layers: [{ class_name: 'Dense', config: {} }] },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    format: 'layers-model',
    generatedBy: 'hand',
    convertedBy: null,
    weightsManifest: [
      {
        paths: ['w.bin'],
        weights: [
          { name: 'dense/kernel', shape: [2, 3], dtype: 'float32' },
          { name: 'dense/bias', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.1, min: 0 } },
          { name: 'step', shape: [], dtype: 'int32' },
        ],
      },
    ],
  }
  const write = (name: string, json: unknown, bin: number | null) => {
    mkdirSync(join(dir, name), { recursive: true })
    writeFileSync(join(dir, name, 'model.json'), JSON.stringify(json))
    if (bin !== null) writeFileSync(join(dir, name, 'w.bin'), new Uint8Array(bin))
    return join(dir, name, 'model.json')
  }

  it("computes each weight's bytes (quantized ones at their stored width) and checks them against the files", async () => {
    const r = await ckpt(['inspect', write('ok', manifest, 24 + 3 + 4), '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as TfjsJson
    expect(out.weights.map((w) => w.bytes)).toEqual([24, 3, 4])
    expect(out.optimizer).toBeNull()
    expect(out.files).toEqual([{ paths: ['w.bin'], expectedBytes: 31, actualBytes: 31, missing: [] }])
  })

  it('exits 1 naming the problem when a weight file is missing or has the wrong size', async () => {
    const short = await ckpt(['inspect', write('short', manifest, 30)])
    expect(short.code).toBe(1)
    expect(short.stdout).toContain('PROBLEM  weightsManifest[0]: the files "w.bin" hold 30 bytes; its 3 weights need 31')
    const missing = await ckpt(['inspect', write('missing', manifest, null), '--json'])
    expect(missing.code).toBe(1)
    expect((JSON.parse(missing.stdout) as TfjsJson).problems).toEqual(['weightsManifest[0]: missing weight file "w.bin"'])
  })

  it('exits 2 on a JSON file that is not a tfjs model, and on a missing file', async () => {
    const notModel = await ckpt(['inspect', write('nomodel', { weightsManifest: [] }, null)])
    expect(notModel.code).toBe(2)
    expect(notModel.stderr).toContain('is not a tfjs model.json: "modelTopology": got nothing; expected an object')
    const badWeight = await ckpt([
      'inspect',
      write(
        'badweight',
        { ...manifest, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [-1], dtype: 'float32' }] }] },
        0,
      ),
    ])
    expect(badWeight.code).toBe(2)
    expect(badWeight.stderr).toContain('"weightsManifest[0].weights[0].shape" (weight "k") must be an array of integers >= 0')
    const none = await ckpt(['inspect', join(dir, 'nothing.safetensors')])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no such file')
    const folder = await ckpt(['inspect', tmp.dir])
    expect(folder.code).toBe(2)
    expect(folder.stderr).toContain('is a folder without a model.json')
  })
})
