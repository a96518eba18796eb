const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** The table-driven CRC-32 (IEEE 802.3, as zip and zlib use it) of `data`, continuing from the CRC `value` of the bytes before it. */
export const crc32 = (data: Uint8Array, value = 0): number => {
  let c = (value ^ 0xffffffff) >>> 0
  for (let i = 0; i < data.length; i++) c = (CRC_TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
