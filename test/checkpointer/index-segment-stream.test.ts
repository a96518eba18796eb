// Opening streams each segment (hashed as it passes, parsed a region of lines at a time) instead of holding its bytes
// and its text whole. The streamed decode must accept exactly the segments decodeSegment accepts, as the same value,
// however the bytes are cut into chunks; for anything else it gives null, and the open reads the segment whole so that
// decodeSegment decides (and words the error).
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Entry, SegmentRef } from '../../src/checkpointer/index-file.js'
import { makeSegment } from '../../src/checkpointer/index-segment.js'
import { decodeSegment } from '../../src/checkpointer/index-schema.js'
import { segmentStream } from '../../src/checkpointer/index-segment-stream.js'

const sha = (c: string) => `sha256:${c.repeat(64)}`

const entry = (i: number, extra: Partial<Entry> & Record<string, unknown> = {}): Entry => ({
  path: `run/e${i}.safetensors`,
  format: 'safetensors',
  epoch: i,
  step: 10 * i,
  batch: null,
  metrics: { loss: 1 / (i + 1) },
  score: 1 / (i + 1),
  time: 1_700_000_000_000 + i,
  files: [{ key: `run/e${i}.safetensors`, size: 100 + i, sha256: sha('a') }],
  policyState: { version: 1, best: 1 / (i + 1), step: 10 * i },
  ...extra,
})

/** `bytes` cut into chunks: every `size` bytes, or at the given offsets. */
const chunks = (bytes: Uint8Array, cuts: number | ReadonlyArray<number>): Uint8Array[] => {
  const at =
    typeof cuts === 'number'
      ? Array.from({ length: Math.ceil(bytes.length / cuts) - 1 }, (_, i) => (i + 1) * cuts)
      : [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)
  return [0, ...at].map((start, i) => bytes.subarray(start, at[i] ?? bytes.length))
}

const streamed = (ref: SegmentRef, parts: ReadonlyArray<Uint8Array>) => {
  const decoder = segmentStream(ref)
  for (const part of parts) if (!decoder.push(part)) break
  return decoder.end()
}

/** `text` as a segment whose reference matches it (size and checksum), as an index would name it. */
const asSegment = (text: string | Uint8Array): { ref: SegmentRef; bytes: Uint8Array } => {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
  const sha256 = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  return { ref: { key: 'ckpt-index.d/7-0a0b0c0d.json', size: bytes.length, sha256, level: 0 }, bytes }
}

/** `bytes` with a byte that is never UTF-8 (0xff) in place of the first character of `text`. */
const invalidAt = (bytes: Uint8Array, text: string): Uint8Array => {
  const out = Uint8Array.from(bytes)
  out[Buffer.from(bytes).indexOf(text)] = 0xff
  return out
}

const CHUNK_SIZES = [1, 2, 3, 7, 64, 1000, 4096, 65_536, 1 << 20]

describe('a segment streamed at open', () => {
  it('decodes as decodeSegment does, whatever the chunks: entries spanning regions, NaN and Infinity, non-ASCII, no entry', () => {
    const many = Array.from({ length: 600 }, (_, i) =>
      entry(i, {
        // Long enough that 600 entries make several 64 KiB regions; multi-byte UTF-8 may fall on any chunk boundary.
        path: `run/${'é'.repeat(i % 5)}日本-${'🙂'.repeat(i % 3)}/e${i}.safetensors`,
        metrics: { loss: i % 7 === 0 ? NaN : i % 11 === 0 ? -Infinity : i, 'val acc ü': i / 3 },
        score: i % 13 === 0 ? Infinity : i,
        files: [
          { key: `run/e${i}/a.bin`, size: i, sha256: sha('b') },
          { key: `run/e${i}/b.bin`, size: 2 * i, sha256: sha('c') },
        ],
        note: { kept: 'a field the schema does not know', nested: [[[{ deep: i }]]] },
        // One entry longer than a region: it is parsed on its own.
        ...(i === 300 ? { policyState: { blob: 'x'.repeat(200_000) } } : {}),
      }),
    )
    const cases = [
      makeSegment(3, [], [entry(1)], 0),
      makeSegment(4, ['old/a', 'old/ü "quoted"'], many, 2),
      makeSegment(5, ['old/a', 'old/b'], [], 0),
      makeSegment(6, [], [], 0),
    ]
    for (const { ref, bytes } of cases) {
      const whole = decodeSegment(ref, bytes)
      expect(whole._tag).toBe('Right')
      // Byte by byte only where that stays quick.
      for (const size of CHUNK_SIZES.filter((n) => n > 3 || bytes.length < 100_000))
        expect(streamed(ref, chunks(bytes, size)), `chunks of ${size}`).toEqual(rightOf(whole))
    }
  })

  it('decodes as decodeSegment does for any entries and any cuts (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 })
    const number = fc.oneof(fc.double(), fc.integer())
    const arbEntry = fc.record({
      path: text,
      format: text,
      epoch: fc.nat(),
      step: fc.nat(),
      batch: fc.option(fc.nat()),
      metrics: fc.dictionary(text, number, { maxKeys: 3 }),
      score: fc.option(number),
      time: fc.double({ noNaN: true, noDefaultInfinity: true }),
      files: fc.array(
        fc.record({ key: fc.stringMatching(/^[a-z]{1,8}(\/[a-z0-9]{1,8}){0,2}$/), size: fc.nat(), sha256: fc.constant(sha('d')) }),
        {
          maxLength: 3,
        },
      ),
      policyState: fc.jsonValue({ maxDepth: 3 }),
    })
    fc.assert(
      fc.property(
        fc.array(text, { maxLength: 3 }),
        fc.array(arbEntry, { maxLength: 40 }),
        fc.array(fc.nat(20_000)),
        (drops, adds, cuts) => {
          const { ref, bytes } = makeSegment(9, drops, adds, 0)
          const whole = decodeSegment(ref, bytes)
          expect(whole._tag).toBe('Right')
          expect(streamed(ref, chunks(bytes, cuts))).toEqual(rightOf(whole))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('leaves every other segment to decodeSegment (null): other layouts it accepts, and each way one fails', () => {
    const good = makeSegment(3, ['gone/a'], [entry(1), entry(2), entry(3)], 0)
    const text = new TextDecoder().decode(good.bytes)
    const doc = JSON.parse(text) as Record<string, unknown>
    const paths = ['run/e1.safetensors', 'run/e2.safetensors', 'run/e3.safetensors']
    // Lines cut elsewhere than at the separators are still the same regions: streamed, with the same value.
    const sameRegions = {
      'two entries on one line': asSegment(text.replace('},\n{"path":"run/e2', '},{"path":"run/e2')),
      'an entry over two lines': asSegment(text.replace('"format":"safetensors",', '"format":\n"safetensors",')),
    }
    // Valid segments of the same value in another layout: they still open, read whole.
    const readWhole = {
      'indented JSON': asSegment(JSON.stringify(doc, null, 1)),
      'a byte order mark': asSegment(`\ufeff${text}`),
      'CRLF line ends': asSegment(text.replaceAll('\n', '\r\n')),
      'keys in another order': asSegment(
        text.replace('{"format":"ckpt-index-segment","version":2,', '{"version":2,"format":"ckpt-index-segment",'),
      ),
      'no final newline': asSegment(text.slice(0, -1)),
    }
    // Segments decodeSegment refuses.
    const refused = {
      'a trailing comma': asSegment(text.replace('\n]}', ',\n]}')),
      'a trailing comma and a blank line': asSegment(text.replace('\n]}', ',\n\n]}')),
      'another key for the list': asSegment(text.replace('"checkpoints":[', '"checkpointz":[')),
      'an empty entry line': asSegment(text.replace('},\n{"path":"run/e2', '},\n,\n{"path":"run/e2')),
      'a missing comma': asSegment(text.replace('},\n{"path":"run/e2', '}\n{"path":"run/e2')),
      'text after the end': asSegment(`${text}{}\n`),
      'version 3': asSegment(text.replace('"version":2', '"version":3')),
      'drops that are not paths': asSegment(text.replace('"drops":["gone/a"]', '"drops":[1]')),
      'a negative epoch': asSegment(text.replace('"epoch":2', '"epoch":-2')),
      'a separator inside a string': asSegment(text.replace('"path":"run/e2', '"path":"run/e2,\n')),
      'a policy state nested too deep': asSegment(
        text.replace('"policyState":{', `"policyState":{"deep":${'['.repeat(70)}${']'.repeat(70)},`),
      ),
      // Inside a string, where a decoder that replaced it (U+FFFD) would leave valid JSON.
      'invalid UTF-8 in an entry': asSegment(invalidAt(good.bytes, 'run/e2')),
      'invalid UTF-8 in the drops': asSegment(invalidAt(good.bytes, 'gone/a')),
      'a size other than recorded': { ref: { ...good.ref, size: good.ref.size + 1 }, bytes: good.bytes },
      'a longer object than recorded': { ref: { ...good.ref, size: good.ref.size - 1 }, bytes: good.bytes },
      'a checksum other than recorded': { ref: { ...good.ref, sha256: sha('e') }, bytes: good.bytes },
    }
    for (const [name, { ref, bytes }] of Object.entries(sameRegions)) {
      const whole = decodeSegment(ref, bytes)
      expect(
        rightOf(whole)?.adds.map((e) => e.path),
        name,
      ).toEqual(paths)
      for (const size of CHUNK_SIZES) expect(streamed(ref, chunks(bytes, size)), `${name}, chunks of ${size}`).toEqual(rightOf(whole))
    }
    for (const [name, { ref, bytes }] of Object.entries({ ...readWhole, ...refused })) {
      for (const size of CHUNK_SIZES) expect(streamed(ref, chunks(bytes, size)), `${name}, chunks of ${size}`).toBeNull()
      const whole = decodeSegment(ref, bytes)
      if (name in readWhole)
        expect(
          rightOf(whole)?.adds.map((e) => e.path),
          name,
        ).toEqual(paths)
      else expect(whole._tag, name).toBe('Left')
    }
  })
})

/** The value of a Right, for comparing with the streamed decode. */
const rightOf = <A>(e: { _tag: 'Left' } | { _tag: 'Right'; right: A }): A | undefined => (e._tag === 'Right' ? e.right : undefined)
