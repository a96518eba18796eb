/** Typed storage failures. Every adapter reports exactly these; nothing else escapes. */
export type StorageError =
  | { readonly _tag: 'NotFound'; readonly key: string; readonly message: string }
  | { readonly _tag: 'AlreadyExists'; readonly key: string; readonly message: string }
  | { readonly _tag: 'PreconditionFailed'; readonly key: string; readonly message: string }
  | { readonly _tag: 'InvalidKey'; readonly key: string; readonly message: string }
  | { readonly _tag: 'Unsupported'; readonly key: string; readonly message: string }
  | { readonly _tag: 'IOError'; readonly key: string; readonly message: string; readonly cause: unknown }
