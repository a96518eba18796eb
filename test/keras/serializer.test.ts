import { describe, expect, it } from 'vitest'
import type { ArtifactReader, ArtifactWriter } from '../../src/checkpointer/serializer.js'
import { kerasModelSerializer, kerasWeightsSerializer } from '../../src/adapters/tfjs/keras/serializers.js'
import type { WeightsFile } from '../../src/keras/weights-file.js'
import type { WriteData } from '../../src/storage/storage.js'
import { expectKerasError } from './support/errors.js'

const files = new Map<string, Uint8Array>()
const writer = {
  writeFile: async (key: string, data: WriteData) => {
    const chunks: Uint8Array[] = []
    for await (const c of data instanceof Uint8Array ? [data] : data) chunks.push(c)
    files.set(key, new Uint8Array(Buffer.concat(chunks)))
    return { key, size: files.get(key)!.length } as never
  },
} as unknown as ArtifactWriter
const reader = { files: [], readFile: async (key: string) => files.get(key) as Uint8Array } as unknown as ArtifactReader
const meta = { epoch: 1, step: 1, batch: null, metrics: {}, score: null, time: 0, policyState: null }

describe('Keras serializers', () => {
  it('kerasWeightsSerializer: capture copies, write/read round-trips the file', async () => {
    const data = Float32Array.of(1, 2, 3)
    const snap: WeightsFile = { groups: [{ path: 'layers/dense', name: 'd', vars: [{ dtype: 'float32', shape: [3], data }] }] }
    const captured = kerasWeightsSerializer.capture(snap, { immutable: false })
    data[0] = 99 // the caller changes its array after capture
    await kerasWeightsSerializer.write(writer, 'best.weights.h5', captured, meta)
    const back = await kerasWeightsSerializer.read(reader, 'best.weights.h5')
    expect(back.groups.find((g) => g.path === 'layers/dense')?.vars[0]?.data).toEqual(Float32Array.of(1, 2, 3))
  })

  it('paths follow Keras: .weights.h5 and .keras', async () => {
    const err = await kerasWeightsSerializer.write(writer, 'best.h5', { groups: [] }, meta).catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'InvalidPath', path: 'best.h5' })
    const err2 = await kerasModelSerializer.write(writer, 'm.weights.h5', new Uint8Array(1), meta).catch((e: unknown) => e)
    expectKerasError(err2, { _tag: 'InvalidPath', path: 'm.weights.h5' })
  })
})
