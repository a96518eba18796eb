export { DTYPES, dtypeBits, isDtype, type Dtype, type TensorData } from './dtype.js'
export type { Tensor, Tensors, Metadata } from './tensor.js'
export { SafetensorsEncodeError, type SafetensorsError, type SafetensorsErrorTag } from './errors.js'
export {
  encodeSafetensors,
  encodeSafetensorsOrThrow,
  encodeHeader,
  safetensorsByteLength,
  type LayoutEntry,
  type SafetensorsLayout,
} from './encode.js'
export { decodeSafetensors, type DecodeOptions, type DecodedSafetensors } from './decode.js'
export { decodeSafetensorsStream, type StreamDecodeOptions } from './decode-stream-load.js'
export { MAX_TENSOR_BYTES } from './header.js'
export { f16BitsToF32Bits, bf16BitsToF32Bits } from './half.js'
