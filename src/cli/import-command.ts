import * as E from '#fp-ts/Either.js'
import { openAsBlob } from 'node:fs'
import { importCheckpoints } from '../checkpointer/index.js'
import type { ParsedArgs } from './args.js'
import { defineCommand, type Command } from './command.js'
import { inputError, messageOf, type CliError } from './errors.js'
import { EXIT, type CliIO } from './io.js'
import { locationFlags, locationHelp, openLocationOf } from './location.js'
import { escapeLines, escapeText } from './render.js'

const help = `Usage: ckpt import FILE LOCATION [options]

Reads an archive written by 'ckpt export' (or exportCheckpoint/exportRun in code) into a checkpoint folder: every
file is checked against the archive's manifest as it streams in, written atomically, and then the checkpoints are
committed to the folder's index in one conditional write, under the folder's writer lock. A checkpoint the folder
already holds, file for file, is left as it is. Into a folder without checkpoints the run's policy state comes
along, so training resumes the exported run there.

Options:
  -h, --help        this help
${locationHelp.replace('a local checkpoint folder (holding ckpt-index.json)', 'a local checkpoint folder (created if missing)').replace('; read only', '')}

Exit codes: 0 imported; 2 bad flag, an unreadable file, an archive that fails a check (truncated, a wrong checksum,
a name or member ckpt does not accept), a checkpoint the folder holds otherwise, another writer holding the folder,
or a storage failure. On exit 2 nothing was committed, and the folder's checkpoints are as they were.`

export const importCommand: Command = defineCommand({
  name: 'import',
  summary: "read an archive of 'ckpt export' into a checkpoint folder, verifying every checksum",
  help,
  flags: { ...locationFlags },
  positionals: { min: 2, max: 2, names: 'FILE and LOCATION (a folder or s3://BUCKET/PREFIX)' },
  async run(a: ParsedArgs, io: CliIO): Promise<E.Either<CliError, number>> {
    const [file, spec] = a.positionals as [string, string]
    let blob: Blob
    try {
      blob = await openAsBlob(file)
    } catch (e) {
      return E.left(inputError(`cannot read the archive ${JSON.stringify(file)}: ${messageOf(e)}`))
    }
    const location = await openLocationOf('import', spec, a, io, true)
    if (E.isLeft(location)) return location
    const { storage, display } = location.right
    try {
      const r = await importCheckpoints(storage, blob, { log: (line) => io.stderr.write(`${escapeLines(line)}\n`) })
      const n = r.imported.length
      io.stdout.write(
        escapeLines(
          `${display}: imported ${n} checkpoint${n === 1 ? '' : 's'}${n === 0 ? '' : `: ${r.imported.map((e) => escapeText(e.path)).join(', ')}`}` +
            `${r.present.length === 0 ? '' : `; ${r.present.length} already there: ${r.present.map((e) => escapeText(e.path)).join(', ')}`}\n`,
        ),
      )
      return E.right(EXIT.ok)
    } catch (e) {
      return E.left(inputError(`cannot import ${JSON.stringify(file)} into ${display}: ${messageOf(e)}`))
    } finally {
      await storage.close().catch(() => undefined)
    }
  },
})
