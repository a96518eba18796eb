/**
 * The optimal string alignment distance between two names, ignoring case: the fewest single-character insertions,
 * deletions, substitutions and swaps of two adjacent characters that turn one into the other.
 *
 * @example nameDistance('saveBestOnyl', 'saveBestOnly') // 1
 */
export const nameDistance = (a: string, b: string): number => {
  a = a.toLowerCase()
  b = b.toLowerCase()
  // d[i][j]: the distance between the first i characters of a and the first j of b (the whole table: names are short).
  const d: number[][] = []
  for (let i = 0; i <= a.length; i++) {
    const row = (d[i] = [i])
    for (let j = 1; j <= b.length; j++)
      row[j] = !i
        ? j
        : Math.min(
            d[i - 1]![j]! + 1,
            row[j - 1]! + 1,
            d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
            i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? d[i - 2]![j - 2]! + 1 : Infinity,
          )
  }
  return d[a.length]![b.length]!
}

/**
 * The name of `names` nearest to `name`, when it is near enough to be a typo of it: at most a third of the longer
 * name's length apart, and at least one edit (so `lr` does not suggest `log`). The first wins a tie.
 *
 * @example nearestName('vall_loss', ['loss', 'val_loss']) // 'val_loss'
 */
export const nearestName = (name: string, names: ReadonlyArray<string>): string | undefined => {
  let nearest: string | undefined
  let least = Infinity
  const length = name.toLowerCase().length
  for (const n of names) {
    const bound = Math.max(1, Math.floor(Math.max(name.length, n.length) / 3))
    // The distance is at least the difference in length: skip the table (quadratic) for names that far apart, so a
    // megabyte-long unknown key is answered at once.
    if (Math.abs(length - n.toLowerCase().length) > bound) continue
    const d = nameDistance(name, n)
    if (d < least && d <= bound) {
      nearest = n
      least = d
    }
  }
  return nearest
}

/** `; did you mean X?` for the name of `names` nearest to `name`, or nothing. */
export const didYouMean = (name: string, names: ReadonlyArray<string>): string => {
  const n = nearestName(name, names)
  return n === undefined ? '' : `; did you mean ${n}?`
}
