import * as E from '#fp-ts/Either.js'
import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { exportCheckpoint, exportRun } from '../checkpointer/index.js'
import { CkptError } from '../errors/ckpt-error.js'
import { stringFlag, type ParsedArgs } from './args.js'
import { defineCommand, type Command } from './command.js'
import { inputError, messageOf, usageError, type CliError } from './errors.js'
import { EXIT, type CliIO } from './io.js'
import { locationFlags, locationHelp, openLocationOf } from './location.js'
import { escapeLines, escapeText, formatBytes } from './render.js'

const help = `Usage: ckpt export LOCATION --out FILE [--which latest|best|PATH] [options]

Writes the checkpoints of a folder into one file, a POSIX tar archive that 'ckpt import' (or importCheckpoints in
code, also in a browser) reads back into any storage, and that Python's tarfile extracts: each checkpoint file under
its own name, with a manifest (ckpt-export.json) of every file's size and checksums. Every file is verified against
the folder's index as it is read; the archive is written to a temporary file and renamed to FILE once complete.

Options:
  --out FILE        the archive to write (required)
  --which WHICH     one checkpoint: latest, best (by the monitor the index records) or its path;
                    without it, every live checkpoint and the run's policy state
  -h, --help        this help
${locationHelp}

Exit codes: 0 written; 1 a checkpoint is corrupt (nothing is written to FILE); 2 bad flag, missing folder, no index
or no such checkpoint, or a storage failure.`

export const exportCommand: Command = defineCommand({
  name: 'export',
  summary: 'write checkpoints (one, or the whole run) into one archive file',
  help,
  flags: { ...locationFlags, out: { type: 'string' }, which: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'LOCATION (a folder or s3://BUCKET/PREFIX)' },
  async run(a: ParsedArgs, io: CliIO): Promise<E.Either<CliError, number>> {
    const out = stringFlag(a, 'out')
    if (out === undefined || out === '') return E.left(usageError('export', '--out FILE is required'))
    const which = stringFlag(a, 'which')
    const location = await openLocationOf('export', a.positionals[0]!, a, io)
    if (E.isLeft(location)) return location
    const { storage, display } = location.right
    const partial = `${out}.ckpt-partial-${randomBytes(4).toString('hex')}`
    try {
      const archive = which === undefined ? await exportRun(storage) : await exportCheckpoint(storage, which)
      const file = await open(partial, 'wx')
      try {
        for await (const chunk of archive)
          // A write may be cut short without an error (a full disk): the rest is written, or fails with the reason.
          for (let at = 0; at < chunk.byteLength;) at += (await file.write(chunk, at)).bytesWritten
        await file.sync()
      } finally {
        await file.close()
      }
      await rename(partial, out)
      const n = archive.checkpoints.length
      io.stdout.write(
        escapeLines(
          `${display}: exported ${n} checkpoint${n === 1 ? '' : 's'} (${formatBytes(archive.size)}) to ${escapeText(out)}` +
            `${n === 0 ? '' : `: ${archive.checkpoints.map((e) => escapeText(e.path)).join(', ')}`}\n`,
        ),
      )
      return E.right(EXIT.ok)
    } catch (e) {
      await rm(partial, { force: true }).catch(() => undefined)
      if (CkptError.is(e) && e._tag === 'CorruptCheckpoint') {
        io.stderr.write(`ckpt: ${escapeLines(e.message)}; nothing was written to ${escapeText(out)}\n`)
        return E.right(EXIT.problem)
      }
      return E.left(inputError(`cannot export ${display} to ${JSON.stringify(out)}: ${messageOf(e)}`))
    } finally {
      await storage.close().catch(() => undefined)
    }
  },
})
