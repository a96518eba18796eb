/** The Keras formats' code, imported at the first Keras call (a lazily loaded chunk in a browser bundle). */
export type KerasCode = typeof import('./keras-code.js')

export const kerasCode = (): Promise<KerasCode> => import('./keras-code.js')
