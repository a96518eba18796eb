/** The rarer safetensors code (shards, the lost-index scan), imported at its first use (a lazily loaded chunk in a browser bundle). */
export type SafetensorsCode = typeof import('./safetensors-code.js')

export const safetensorsCode = (): Promise<SafetensorsCode> => import('./safetensors-code.js')
