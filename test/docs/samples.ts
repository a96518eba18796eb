import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** A ```ts block of README.md or docs/*.md, with what the comment right above it says about it. */
export interface Sample {
  /** `docs/checkpointer.md#2`: the file and the block's number in it (1-based). */
  readonly name: string
  readonly file: string
  /** The line of the opening fence (1-based). */
  readonly line: number
  readonly code: string
  /**
   * `<!-- sample-context: DECLARATIONS -->` right above the fence: what the sample takes as given (the user's model,
   * data, earlier lines), compiled ahead of it. `<!-- listing -->`: a listing of types and signatures, not code.
   */
  readonly context: string
  readonly listing: boolean
  /** `<!-- sample-module: NAME.ts -->`: the module name other samples of the same page import it by (`./NAME.js`). */
  readonly module: string | null
}

const FENCE = /^\s*```(ts|typescript)\s*$/

/** Every ```ts block of the README and of docs/, in order. */
export const samples = (): Sample[] => {
  const files = [
    'README.md',
    ...readdirSync(join(repoRoot, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ]
  return files.flatMap((file) => {
    const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n')
    const found: Sample[] = []
    for (let i = 0; i < lines.length; i++) {
      if (!FENCE.test(lines[i]!)) continue
      const end = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l))
      if (end < 0) throw new Error(`${file}:${i + 1}: a code block that never closes`)
      // The HTML comment that ends on the line above the fence (it may span lines).
      let start = i - 1
      while (start >= 0 && lines[i - 1]!.trimEnd().endsWith('-->') && !lines[start]!.trimStart().startsWith('<!--')) start--
      const comment = i > 0 && lines[i - 1]!.trimEnd().endsWith('-->') && start >= 0 ? lines.slice(start, i).join('\n') : ''
      const context = /^<!--\s*sample-context:([\s\S]*)-->$/.exec(comment.trim())?.[1]?.trim() ?? ''
      found.push({
        name: `${file}#${found.length + 1}`,
        file,
        line: i + 1,
        code: lines.slice(i + 1, end).join('\n'),
        context,
        listing: /^<!--\s*listing\b/.test(comment.trim()),
        module: /^<!--\s*sample-module:\s*(\S+\.ts)\s*-->$/.exec(comment.trim())?.[1] ?? null,
      })
      i = end
    }
    return found
  })
}

/** Where a sample is compiled: a folder of its page's own (so its siblings import it by name), in the repository. */
const fileOf = (s: Sample, i: number) =>
  join(repoRoot, 'test', 'docs', '.samples', s.file.replace(/[/.]/g, '-'), s.module ?? `sample-${i}.ts`)
/** The sample as a module: its context first, then its code as written. */
const sourceOf = (s: Sample) => `${s.context}\n${s.code}\nexport {}\n`

/** Type errors of every compiled sample, by sample name, with lines as the Markdown file numbers them. */
export const typeErrors = (compiled: ReadonlyArray<Sample>): Map<string, string[]> => {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(repoRoot, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  )
  if (config === undefined) throw new Error('tsconfig.json could not be read')
  const options = { ...config.options, noEmit: true, lib: ['lib.es2022.full.d.ts'] }
  const files = compiled.map(fileOf)
  const sources = new Map(compiled.map((s, i) => [files[i]!, sourceOf(s)]))
  // The compiler's own host, with the samples as files in memory (and their folders as folders).
  const real = ts.createCompilerHost(options)
  const host: ts.CompilerHost = {
    ...real,
    fileExists: (f) => sources.has(f) || real.fileExists(f),
    readFile: (f) => sources.get(f) ?? real.readFile(f),
    directoryExists: (d) => files.some((f) => f.startsWith(`${d}/`)) || (real.directoryExists?.(d) ?? true),
    getSourceFile: (f, language, ...rest) => {
      const text = sources.get(f)
      return text === undefined ? real.getSourceFile(f, language, ...rest) : ts.createSourceFile(f, text, language, true)
    },
  }
  const program = ts.createProgram([...sources.keys()], options, host)
  const errors = new Map<string, string[]>(compiled.map((s) => [s.name, []]))
  compiled.forEach((s, i) => {
    const file = program.getSourceFile(files[i]!)!
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
      const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0)
      const contextLines = s.context === '' ? 1 : s.context.split('\n').length
      const at = line < contextLines ? 'its sample-context' : `${s.file}:${s.line + line - contextLines + 1}`
      errors.get(s.name)!.push(`${at}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    }
  })
  return errors
}
