import * as zlib from 'node:zlib'
import { crc32 as crc32Js } from '../web/crc32.js'

/** zlib's CRC-32 (Node 20.15 and later): about 1.4 GB/s here, where the table loop does about 0.1 GB/s. */
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32

/** CRC-32 (IEEE 802.3, as zip and zlib use it) of `data`, continuing from the CRC `value` of the bytes before it. */
export const crc32 = (data: Uint8Array, value = 0): number => (native === undefined ? crc32Js(data, value) : native(data, value))
