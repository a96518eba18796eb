/** One way a stored weight disagrees with the model it is loaded into. */
export type WeightMismatch =
  | { readonly _tag: 'Missing'; readonly name: string }
  | { readonly _tag: 'Unexpected'; readonly name: string }
  | { readonly _tag: 'Shape'; readonly name: string; readonly expected: ReadonlyArray<number>; readonly actual: ReadonlyArray<number> }
  | { readonly _tag: 'Dtype'; readonly name: string; readonly expected: string; readonly actual: string }
