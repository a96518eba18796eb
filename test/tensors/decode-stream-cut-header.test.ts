// decodeSafetensorsStream over a stream that ends inside the header (a truncated file, a server that stops early):
// docs/safetensors.md says such a stream is InvalidHeaderLength (HeaderTooSmall within its first 8 bytes), the error
// decodeSafetensors gives for a file cut at the same byte. Before, the partial header went to the JSON parser, and
// the answer was InvalidHeaderJson or InvalidHeaderUtf8, depending on where the cut fell.
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { decodeSafetensors, decodeSafetensorsStream, encodeSafetensorsOrThrow } from '../../src/tensors/index.js'
import { concat } from './arbitraries.js'

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

it('a stream that ends inside the header is the error of a file cut there: HeaderTooSmall, then InvalidHeaderLength', async () => {
  const file = concat(encodeSafetensorsOrThrow({ w: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } }, { note: 'é' }))
  const headerEnd = 8 + Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true))
  for (let cut = 1; cut < headerEnd; cut++) {
    const streamed = await decodeSafetensorsStream(once(file.slice(0, cut)), file.length)
    const whole = decodeSafetensors(file.slice(0, cut))
    expect(E.isLeft(streamed) && streamed.left._tag, `cut at ${cut}`).toBe(cut < 8 ? 'HeaderTooSmall' : 'InvalidHeaderLength')
    expect(streamed, `cut at ${cut}`).toEqual(whole)
  }
})
