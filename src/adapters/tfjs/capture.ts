import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import type { Tensor, Tensors } from '../../tensors/index.js'
import { toSafetensorsDtype, typedView, type TfjsNumericDtype } from './dtypes.js'
import { fail } from './errors.js'
import { assertUniqueNames } from './names.js'
import { hiddenOptimizerState, type HiddenOptimizerState } from './optimizer.js'

type Bytes = Tensor['data']

/**
 * One captured tensor. Its bytes are either already copied (`data`, on wasm: a pooled copy out of the wasm
 * heap) or still held by a tensor sharing the variable's buffer (`tensor`, elsewhere), read at write time.
 */
export interface CapturedTensor {
  readonly name: string
  readonly dtype: TfjsNumericDtype
  readonly shape: ReadonlyArray<number>
  readonly data: Bytes | null
  readonly tensor: tf.Tensor | null
}

/** What the whole-model format needs beside the tensors; taken once per training run. */
export interface ModelDescription {
  readonly topology: tf.io.ModelJSON['modelTopology']
  readonly trainingConfig: tf.io.TrainingConfig | null
  readonly userDefinedMetadata: Readonly<Record<string, unknown>> | null
}

/**
 * The model's state at one instant, as the Checkpointer's snapshot. It owns the tensors it holds:
 * {@link resolveCapture} reads and frees them, {@link releaseCapture} frees them without reading (both idempotent).
 */
export interface ModelCapture {
  readonly weights: ReadonlyArray<CapturedTensor>
  /** In `optimizer.getWeights()` order (`setWeights` restores by position); empty for weights-only. */
  readonly optimizer: ReadonlyArray<CapturedTensor>
  readonly optimizerHidden: HiddenOptimizerState | null
  /** Present for the whole-model format. */
  readonly model: ModelDescription | null
  released: boolean
}

export interface CaptureOptions {
  readonly includeOptimizer: boolean
  readonly model: ModelDescription | null
}

/** The wasm backend's internals that a pooled copy needs; `null` when the active backend is not wasm. */
export interface WasmHeap {
  /** `refCount`: how many tensors share the memory (a clone, a variable assigned another's tensor). */
  readonly dataIdMap: { get(dataId: object): { readonly memoryOffset: number; readonly refCount?: number } | undefined }
  readonly wasm: { readonly HEAPU8: Uint8Array }
}

export const wasmHeap = (): WasmHeap | null => {
  if (tf.getBackend() !== 'wasm') return null
  const b = tf.backend() as unknown as Partial<WasmHeap>
  return b.dataIdMap !== undefined && b.wasm?.HEAPU8 instanceof Uint8Array ? (b as WasmHeap) : null
}

const checkedDtype = (name: string, dtype: string): TfjsNumericDtype => {
  const d = toSafetensorsDtype(name, dtype)
  if (E.isLeft(d)) fail(d.left)
  return dtype as TfjsNumericDtype
}

/**
 * Takes captures of a model, reusing one pool of copy buffers from capture to capture. A capture's buffers are
 * reused by the next capture, so take the next one only after the previous save completed (the Checkpointer
 * calls its snapshot source only then).
 *
 * - wasm: each tensor is copied straight out of the wasm heap into its pooled buffer (one memcpy, no allocation
 *   once warm; `dataSync` would allocate and copy). The heap view is taken per tensor and never kept across an
 *   `await`, so a heap growth (which replaces `HEAPU8`) cannot make it stale.
 * - other backends: `reshape(v, v.shape)` shares the variable's buffer (no copy); the bytes are read at write
 *   time. On cpu that read is the backend's own array (no copy either).
 */
export const modelCapturer = () => {
  const pool = new Map<string, Uint8Array>()

  const copyOut = (heap: WasmHeap, key: string, t: tf.Tensor): Bytes => {
    const bytes = t.size * (t.dtype === 'bool' ? 1 : 4)
    let dst = pool.get(key)
    if (dst === undefined || dst.byteLength !== bytes) {
      dst = new Uint8Array(bytes)
      pool.set(key, dst)
    }
    const info = heap.dataIdMap.get(t.dataId)
    if (info === undefined) throw new Error(`ckpt/tfjs: tensor '${key}' has no data on the wasm backend (disposed?)`)
    dst.set(heap.wasm.HEAPU8.subarray(info.memoryOffset, info.memoryOffset + bytes))
    return typedView(t.dtype as TfjsNumericDtype, dst)
  }

  const take = (heap: WasmHeap | null, group: string, name: string, t: tf.Tensor): CapturedTensor => {
    const dtype = checkedDtype(name, t.dtype)
    const shape = [...t.shape]
    return heap !== null
      ? { name, dtype, shape, data: copyOut(heap, `${group}:${name}`, t), tensor: null }
      : { name, dtype, shape, data: null, tensor: tf.reshape(t, t.shape) }
  }

  const capture = async (model: tfl.LayersModel, options: CaptureOptions): Promise<ModelCapture> => {
    assertUniqueNames(model.weights.map((v) => v.originalName))
    for (const v of model.weights) checkedDtype(v.originalName, v.dtype)
    const out: ModelCapture = { weights: [], optimizer: [], optimizerHidden: null, model: options.model, released: false }
    try {
      const heap = wasmHeap()
      for (const v of model.weights) (out.weights as CapturedTensor[]).push(take(heap, 'w', v.originalName, v.read()))
      if (options.includeOptimizer && model.optimizer != null) {
        const named = await model.optimizer.getWeights()
        // getWeights may await: the heap may have grown meanwhile, so look it up again.
        const heapNow = wasmHeap()
        try {
          named.forEach(({ name, tensor }, i) => (out.optimizer as CapturedTensor[]).push(take(heapNow, `o${i}`, name, tensor)))
        } finally {
          // getWeights returns the optimizer's variables (its own) plus fresh tensors such as `iter` (ours).
          for (const { tensor } of named) if (!(tensor instanceof tf.Variable)) tensor.dispose()
        }
        ;(out as { optimizerHidden: HiddenOptimizerState | null }).optimizerHidden = hiddenOptimizerState(model.optimizer)
      }
      return out
    } catch (e) {
      releaseCapture(out)
      throw e
    }
  }

  return { capture }
}

const held = (c: ModelCapture): tf.Tensor[] =>
  [...c.weights, ...c.optimizer].flatMap((t) => (t.tensor !== null && !t.tensor.isDisposed ? [t.tensor] : []))

/** Frees the tensors a capture holds. Idempotent. */
export const releaseCapture = (c: ModelCapture): void => {
  if (c.released) return
  c.released = true
  tf.dispose(held(c))
}

/** The bytes of every captured tensor (reads the held tensors, without a copy on cpu). Frees nothing. */
export const captureBytes = async (
  c: ModelCapture,
): Promise<{ readonly weights: ReadonlyArray<Bytes>; readonly optimizer: ReadonlyArray<Bytes> }> => {
  if (c.released) throw new Error('ckpt/tfjs: internal error: a capture was read after it was released')
  const read = (ts: ReadonlyArray<CapturedTensor>) =>
    Promise.all(ts.map(async (t) => t.data ?? ((await (t.tensor as tf.Tensor).data()) as Bytes)))
  const [weights, optimizer] = await Promise.all([read(c.weights), read(c.optimizer)])
  return { weights, optimizer }
}

/** The captured weights as safetensors tensors keyed by `originalName`. */
export const captureTensors = (c: ModelCapture, bytes: ReadonlyArray<Bytes>): Tensors => {
  const out = Object.create(null) as Record<string, Tensor>
  c.weights.forEach((t, i) => {
    const dtype = toSafetensorsDtype(t.name, t.dtype)
    if (E.isLeft(dtype)) fail(dtype.left)
    else out[t.name] = { dtype: dtype.right, shape: t.shape, data: bytes[i] as Bytes }
  })
  return out
}
