/**
 * Where a Keras-format checkpoint carries its index entry data (the `CheckpointMeta` JSON), so that a lost
 * index can be rebuilt and an interrupted overwrite adopted: a string attribute `ckpt` on the root group of a
 * `.weights.h5`, a key `ckpt` in a `.keras` archive's metadata.json. Keras reads neither.
 */
export const KERAS_META_KEY = 'ckpt'
