import { h5MemorySuite } from './support/h5-memory-suite.js'

// 16 × Dense(2048): 256 MiB of float32 weights, the model. On main, h5wasm copied every dataset into its
// heap and the file out of it: the save peaked 1376 MiB above the runtime and the load 1086 MiB.
h5MemorySuite(16, 2048, null)
