/**
 * The slice of the browser's storage APIs (IndexedDB, the Origin Private File System, Web Locks, StorageManager)
 * that the browser adapters use, typed here so that the Node program's types stay free of the DOM library.
 * The names and shapes are the standard ones; only what ckpt calls is declared.
 */

export interface DomEventTarget {
  onerror: ((event: unknown) => void) | null
}

export interface IdbRequest<A> extends DomEventTarget {
  readonly result: A
  readonly error: DOMException | null
  onsuccess: ((event: unknown) => void) | null
}

export interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: ((event: unknown) => void) | null
  onblocked: ((event: unknown) => void) | null
}

/** A key IndexedDB orders: strings by UTF-16 code units, arrays element by element. */
export type IdbKey = string | number | ReadonlyArray<string | number>

export interface IdbKeyRange {
  readonly lower: unknown
}

export interface IdbKeyRangeStatic {
  bound(lower: IdbKey, upper: IdbKey, lowerOpen?: boolean, upperOpen?: boolean): IdbKeyRange
  lowerBound(lower: IdbKey, open?: boolean): IdbKeyRange
}

export interface IdbObjectStore {
  get(key: IdbKey): IdbRequest<unknown>
  getAll(range?: IdbKeyRange | null, count?: number): IdbRequest<unknown[]>
  getAllKeys(range?: IdbKeyRange | null, count?: number): IdbRequest<IdbKey[]>
  put(value: unknown, key?: IdbKey): IdbRequest<IdbKey>
  delete(key: IdbKey | IdbKeyRange): IdbRequest<undefined>
}

export interface IdbTransaction extends DomEventTarget {
  readonly error: DOMException | null
  objectStore(name: string): IdbObjectStore
  abort(): void
  oncomplete: ((event: unknown) => void) | null
  onabort: ((event: unknown) => void) | null
}

export interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean }
  createObjectStore(name: string): IdbObjectStore
  transaction(
    stores: string | ReadonlyArray<string>,
    mode: 'readonly' | 'readwrite',
    options?: { durability?: 'default' | 'strict' | 'relaxed' },
  ): IdbTransaction
  close(): void
  onversionchange: ((event: unknown) => void) | null
  /** Fired when the browser closes the connection (not on `close()`). */
  onclose: ((event: unknown) => void) | null
}

export interface IdbFactory {
  open(name: string, version?: number): IdbOpenRequest
  deleteDatabase(name: string): IdbRequest<undefined>
}

export interface FsWritable {
  write(data: Uint8Array | Blob | { readonly type: 'truncate'; readonly size: number }): Promise<void>
  close(): Promise<void>
  abort(reason?: unknown): Promise<void>
}

export interface FsFileHandle {
  readonly kind: 'file'
  readonly name: string
  getFile(): Promise<File>
  createWritable(options?: { keepExistingData?: boolean }): Promise<FsWritable>
  move(parent: FsDirectoryHandle, name: string): Promise<void>
}

export interface FsDirectoryHandle {
  readonly kind: 'directory'
  readonly name: string
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<FsDirectoryHandle>
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FsFileHandle>
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>
  values(): AsyncIterable<FsFileHandle | FsDirectoryHandle>
}

export interface StorageManagerLike {
  getDirectory?(): Promise<FsDirectoryHandle>
  persist?(): Promise<boolean>
  persisted?(): Promise<boolean>
}

export interface LockManagerLike {
  request<A>(name: string, callback: () => Promise<A>): Promise<A>
  /** With `ifAvailable`, the callback gets `null` at once when the lock is held elsewhere. */
  request<A>(
    name: string,
    options: { readonly mode?: 'shared' | 'exclusive'; readonly ifAvailable?: boolean },
    callback: (lock: unknown) => Promise<A>,
  ): Promise<A>
}

interface BrowserGlobals {
  readonly indexedDB?: IdbFactory
  readonly IDBKeyRange?: IdbKeyRangeStatic
  readonly navigator?: { readonly storage?: StorageManagerLike; readonly locks?: LockManagerLike }
}

/** The browser's globals this module declares, or `undefined` where the environment has none (Node, a worker without them). */
export const browser = (): BrowserGlobals => globalThis as unknown as BrowserGlobals
