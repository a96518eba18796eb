/**
 * `bytes` cut at `cuts` (offsets modulo its length + 1, any order, repeats allowed) into views, in order. No Node
 * built-in: test pages use it too.
 */
export const cut = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Uint8Array[] => {
  const at = [...new Set(cuts.map((c) => c % (bytes.byteLength + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let from = 0
  for (const c of [...at, bytes.byteLength]) {
    out.push(bytes.subarray(from, c))
    from = c
  }
  return out
}
