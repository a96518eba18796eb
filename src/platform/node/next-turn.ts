/** Resolves after the I/O callbacks already due have run (`setImmediate`: a turn of Node's event loop, no delay). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
