/**
 * The safetensors code a plain save or restore does not run: writing and reading Hugging Face shards
 * (`maxShardSize`, `readShardedSafetensors`) and the scan that rebuilds a lost index. One module, imported
 * dynamically (safetensors-load.ts): a browser bundle fetches it as a chunk of its own, at its first use only.
 */
export { readShards, scanShards, writeTensors } from './sharded-safetensors.js'
export { readShardedSafetensors } from './sharded-reader.js'
export { scanSafetensors } from './safetensors-scan.js'
