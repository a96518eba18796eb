/**
 * ckpt: decide when to save a training checkpoint, name it, write it safely, and resume exactly where training stopped.
 *
 * - policy (pure): Keras ModelCheckpoint decisions as a reducer, retention, composable rules, `simulate`;
 * - format (pure): Python `str.format` filename templates;
 * - tensors: the safetensors container;
 * - checkpointer: the effectful shell that saves, lists, prunes and restores through a Storage.
 *
 * Storage adapters live at `ckpt/storage/fs`, `ckpt/storage/memory` and `ckpt/storage/s3`; TensorFlow.js at `ckpt/tfjs`.
 */
export * from './format/index.js'
export * from './policy/index.js'
export * from './tensors/index.js'
export * from './checkpointer/index.js'
export * from './storage/index.js'
