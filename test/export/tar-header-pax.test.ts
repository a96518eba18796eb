import { describe, expect, it } from 'vitest'
import { byteSource } from '../../src/checkpointer/export/byte-source.js'
import { memberHeader, USTAR_MAX_SIZE } from '../../src/checkpointer/export/tar-header.js'
import { nextMember } from '../../src/checkpointer/export/tar-read.js'
import { pythonMissing, runPython } from '../tensors/python.js'

const missing = pythonMissing(['tarfile'])
if (missing) console.log(`skipping the tarfile header oracle: ${missing}`)

// Reads the first member's header only ('r|': a stream, so the data it declares need not follow).
const SCRIPT = `
import io, json, sys, tarfile
t = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), mode="r|")
m = t.next()
print(json.dumps({"name": m.name, "size": m.size, "pax": sorted(m.pax_headers)}))
`

const cases: ReadonlyArray<[string, string, number, string[]]> = [
  ['a short ASCII name: ustar only', 'ckpt/e001.safetensors', 1234, []],
  ['a long name', `runs/${'a'.repeat(150)}/model.safetensors`, 10, ['path']],
  ['a non-ASCII name', 'époque/模型.safetensors', 10, ['path']],
  ['a file over 8 GiB', 'big.safetensors', 9 * 2 ** 30, ['size']],
  ['just under the ustar limit', 'edge.bin', USTAR_MAX_SIZE, []],
]

describe('tar headers: ustar where it fits, pax for long or non-ASCII names and sizes over 8 GiB', () => {
  it.each(cases)('%s: ckpt reads back the name and size', async (_what, name, size) => {
    const header = memberHeader(name, size, 1_700_000_000)
    expect(await nextMember(byteSource([header]))).toEqual({ name, size, offset: 0 })
  })
  it.skipIf(missing !== undefined).each(cases)("%s: Python's tarfile reads the same name and size", (_what, name, size, pax) => {
    const got = JSON.parse(runPython(SCRIPT, memberHeader(name, size, 1_700_000_000)).toString()) as unknown
    expect(got).toEqual({ name, size, pax })
  })
})
