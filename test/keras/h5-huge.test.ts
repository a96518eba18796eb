import { h5MemorySuite } from './support/h5-memory-suite.js'

// 5 × Dense(16384): 5 GiB, past 4 GiB (no single read or buffer can hold the file), each kernel 1 GiB. The file is
// written from the arrays and read back in ranged reads, one weight at a time: a load holds one 1 GiB kernel's new
// value beside the model. Run with CKPT_HUGE=1 (measured: save 72 s, 5083 MiB above the runtime; load 40 s, 6125 MiB).
h5MemorySuite(
  5,
  16384,
  process.env['CKPT_HUGE'] === '1' ? null : 'set CKPT_HUGE=1 to run it (about 7 GB of memory and 6 GB of disk)',
  16384 * 16384 * 4,
)
