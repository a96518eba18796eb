import * as E from '#fp-ts/Either.js'

/**
 * JSON from files ckpt did not necessarily write. `JSON.parse` itself copes with any depth, but what runs over
 * its result recurses (io-ts, `JSON.stringify`, tfjs deserialization), so a deep enough document overflows the
 * stack there, far from the input. Depth is therefore checked on the text, before parsing, in one pass.
 */

/** The nesting depth of JSON text, or the first depth over `limit`: one pass over the text, no recursion. */
export const jsonDepth = (text: string, limit: number): number => {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      depth++
      if (depth > max) max = depth
      if (max > limit) return max
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return max
}

/**
 * Parses JSON text nested at most `maxDepth` objects and arrays deep. Left is the reason, worded to follow
 * "is not valid JSON: " or a file name.
 */
export const parseBoundedJson = (text: string, maxDepth: number): E.Either<string, unknown> => {
  if (jsonDepth(text, maxDepth) > maxDepth) return E.left(`nests objects and arrays more than ${maxDepth} deep (the limit)`)
  try {
    return E.right(JSON.parse(text) as unknown)
  } catch (e) {
    return E.left(e instanceof Error ? e.message : String(e))
  }
}

/** Limits by kind of document; docs/format.md lists them. */
export const JSON_DEPTH = {
  /** ckpt's own small records (the index, entry data, the writer lock, log lines): 5 to 10 levels when valid. */
  record: 64,
  /** Model descriptions (Keras `config.json`, tfjs `model.json`): nested models and node lists go deeper. */
  model: 512,
} as const
