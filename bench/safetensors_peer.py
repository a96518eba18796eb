"""The Python peer of the checkpointer bench: safetensors.numpy's save_file (+ fsync) and load_file, timed here.

Run by bench/checkpointer.ts as a child process. It makes the same 16 float32 tensors as the bench, prints "ready",
then answers one JSON line per command line:
  save <path>   save_file of the tensors to a new file, then fsync it
  load <path>   load_file of any safetensors file (no verification: safetensors has no checksums)
"""

import json
import os
import sys
import time

import numpy as np
from safetensors.numpy import load_file, save_file

TENSORS = 16
EACH = 16 * 1024 * 1024


def make():
    out = {}
    for i in range(TENSORS):
        data = np.zeros(EACH // 4, dtype=np.float32)
        data[::1024] = i + np.arange(0, EACH // 4, 1024, dtype=np.float32)
        out[f"layer_{i:02d}/kernel"] = data
    return out


def main():
    tensors = make()
    print("ready", flush=True)
    for line in sys.stdin:
        cmd, _, path = line.strip().partition(" ")
        t0 = time.perf_counter()
        if cmd == "save":
            save_file(tensors, path)
            fd = os.open(path, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        elif cmd == "load":
            loaded = load_file(path)
            assert len(loaded) == TENSORS
        else:
            break
        print(json.dumps({"ms": (time.perf_counter() - t0) * 1000}), flush=True)


main()
