import * as E from '#fp-ts/Either.js'
import { INDEX_KEY } from '../checkpointer/index.js'
import { boolFlag, type ParsedArgs } from './args.js'
import { defineCommand, type Command } from './command.js'
import type { CliError } from './errors.js'
import { asCliError, readIndex } from './index-reader.js'
import { EXIT, type CliIO } from './io.js'
import { locationFlags, locationHelp, openLocationOf } from './location.js'
import { escapeLines, escapeText, formatBytes, toJson } from './render.js'
import { verdictOf, type Verdict } from './verdict.js'

const help = `Usage: ckpt verify LOCATION [options]

Checks every file of every checkpoint in the folder's index against the size and SHA-256 the index
recorded, and prints OK or CORRUPT (with the reason) for each checkpoint.

Options:
  --json            machine-readable output
  -h, --help        this help
${locationHelp}

Exit codes: 0 every checkpoint verifies; 1 a checkpoint (or the index itself) is corrupt, and the summary
names it; 2 bad flag, missing or unreadable folder, no index, or a storage failure.`

export const verifyCommand: Command = defineCommand({
  name: 'verify',
  summary: 'check every checksum of every checkpoint; exit 1 naming any corrupt one',
  help,
  flags: { ...locationFlags, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1, names: 'LOCATION (a folder or s3://BUCKET/PREFIX)' },
  async run(a: ParsedArgs, io: CliIO): Promise<E.Either<CliError, number>> {
    const json = boolFlag(a, 'json')
    const location = await openLocationOf('verify', a.positionals[0]!, a, io)
    if (E.isLeft(location)) return location
    const { storage, display } = location.right
    try {
      const index = await readIndex(location.right)
      if (E.isLeft(index)) {
        if (index.left._tag !== 'IndexCorrupt') return E.left(asCliError(index.left))
        io.stdout.write(
          json
            ? toJson({ location: display, ok: false, index: { key: INDEX_KEY, ok: false, reason: index.left.message }, checkpoints: [] })
            : escapeLines(
                `CORRUPT  ${INDEX_KEY}: ${escapeText(index.left.message)}\n${display}: the index is corrupt; no checkpoint could be checked\n`,
              ),
        )
        return E.right(EXIT.problem)
      }
      const { doc, rebuilt } = index.right
      if (rebuilt !== null && !json) io.stdout.write(`note: ${escapeText(rebuilt)}\n`)
      const verdicts: Verdict[] = []
      for (const entry of doc.checkpoints) {
        const v = await verdictOf(storage, entry)
        verdicts.push(v)
        if (!json)
          io.stdout.write(
            v.ok
              ? `OK       ${escapeText(v.path)}  (${v.files} file${v.files === 1 ? '' : 's'}, ${formatBytes(v.size)})\n`
              : `CORRUPT  ${escapeText(v.path)}: ${escapeText(v.reason ?? '')}\n`,
          )
      }
      const corrupt = verdicts.filter((v) => !v.ok)
      if (json)
        io.stdout.write(
          toJson({
            location: display,
            ok: corrupt.length === 0,
            index: { key: INDEX_KEY, ok: true, reason: null, rebuilt: rebuilt !== null },
            checkpoints: verdicts,
            corrupt: corrupt.map((v) => v.path),
          }),
        )
      else {
        const n = verdicts.length
        io.stdout.write(
          escapeLines(
            n === 0
              ? `${display}: no checkpoints to verify\n`
              : corrupt.length === 0
                ? `${display}: all ${n} checkpoint${n === 1 ? '' : 's'} verify\n`
                : `${display}: ${corrupt.length} of ${n} checkpoint${n === 1 ? '' : 's'} corrupt: ${corrupt.map((v) => escapeText(v.path)).join(', ')}\n`,
          ),
        )
      }
      return E.right(corrupt.length === 0 ? EXIT.ok : EXIT.problem)
    } finally {
      await storage.close().catch(() => undefined)
    }
  },
})
