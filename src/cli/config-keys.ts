import { policyCodecs, retentionCodecs, saveLastKeys } from '../policy/index.js'

/** The keys a `--config` file may hold: the options `decodePolicyOptions` accepts (policy, retention, saveLast). */
export const CONFIG_KEYS: ReadonlyArray<string> = [...Object.keys(policyCodecs), ...Object.keys(retentionCodecs), ...saveLastKeys]

/** The keys for a help text: comma-separated, in lines of at most `width` characters after `indent` spaces. */
export const configKeysHelp = (indent: number, width = 104): string => {
  const lines: string[] = []
  let line = ''
  CONFIG_KEYS.forEach((key, i) => {
    const word = i === CONFIG_KEYS.length - 1 ? key : `${key},`
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  })
  return [...lines, line].map((l) => `${' '.repeat(indent)}${l}`).join('\n')
}
