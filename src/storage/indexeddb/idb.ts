import { browser, type IdbDatabase, type IdbKeyRangeStatic, type IdbRequest, type IdbTransaction } from '../browser/dom.js'

/** The stores of a ckpt database: object records by key, their chunks by [version, index], writes in progress by version. */
export const OBJECTS = 'objects'
export const CHUNKS = 'chunks'
export const PENDING = 'pending'
const SCHEMA_VERSION = 1

/** A request's result, or its error. */
export const settled = <A>(request: IdbRequest<A>): Promise<A> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
  })

/** Resolves when the transaction commits; rejects with its error (a QuotaExceededError, say) when it aborts. */
const committed = (tx: IdbTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error ?? new DOMException('the IndexedDB transaction was aborted', 'AbortError'))
  })

/**
 * Runs `body` in one transaction over `stores` and resolves to its result once the transaction has committed.
 * If `body` throws, the transaction is aborted (nothing it did is kept) and its error is rethrown. Awaiting the
 * store's requests inside `body` keeps the transaction alive; awaiting anything else does not.
 */
export const inTransaction = async <A>(
  db: IdbDatabase,
  stores: ReadonlyArray<string>,
  mode: 'readonly' | 'readwrite',
  body: (tx: IdbTransaction) => Promise<A> | A,
): Promise<A> => {
  const tx = db.transaction(stores, mode, { durability: 'strict' })
  const done = committed(tx)
  let result: A
  try {
    result = await body(tx)
  } catch (e) {
    try {
      tx.abort()
    } catch {
      // already finished: the body's error is what matters
    }
    await done.catch(() => undefined)
    throw e
  }
  await done
  return result
}

/** `IDBKeyRange`, which exists only where IndexedDB does. */
export const keyRange = (): IdbKeyRangeStatic => {
  const range = browser().IDBKeyRange
  if (range === undefined) throw new Error('IDBKeyRange is not available in this environment')
  return range
}

/**
 * Opens (creating or upgrading) the database `name` with ckpt's stores. Another tab that upgrades the schema
 * or deletes the database later gets its way: this connection closes itself on `versionchange`, and calls
 * `onClosed` then, or when the browser closes it (site data cleared).
 */
export const openDatabase = (name: string, onClosed: () => void): Promise<IdbDatabase> => {
  const factory = browser().indexedDB
  if (factory === undefined) return Promise.reject(new Error('IndexedDB is not available in this environment (indexedDB is undefined)'))
  const request = factory.open(name, SCHEMA_VERSION)
  request.onupgradeneeded = () => {
    const db = request.result
    for (const store of [OBJECTS, CHUNKS, PENDING]) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store)
  }
  request.onblocked = () => undefined // waits for the other connections to close, which they do on versionchange
  return settled(request).then((db) => {
    db.onversionchange = () => {
      db.close()
      onClosed()
    }
    db.onclose = onClosed
    return db
  })
}
