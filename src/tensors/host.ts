/** True where typed arrays are little-endian, as safetensors data is. Every platform Node supports today is. */
export const HOST_IS_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
