"""Keras 3 peer of `npm run bench keras`: one process, one model, timed operations on request.

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  {"op": "build", "layers": 16, "units": 2048}     -> {"ok": true, "bytes": <weight bytes>}
  {"op": "save", "path": "..."}                    -> {"ok": true, "seconds": ...}   model.save_weights(path)
  {"op": "load", "path": "..."}                    -> {"ok": true, "seconds": ...}   model.load_weights(path)
  {"op": "peak", "what": "save"|"load", "path": "..."} -> {"ok": true, "growth": <bytes>}
     the peak RSS growth (Linux VmHWM, reset through /proc/self/clear_refs) of one save or load
Each save writes the path given (a new file per save, as a checkpoint does); nothing is fsynced (save_weights does not).
"""
import gc
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
from keras import layers  # noqa: E402

model = None


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field}")


def handle(req):
    global model
    op = req["op"]
    if op == "build":
        model = keras.Sequential(
            [keras.Input((req["units"],))] + [layers.Dense(req["units"]) for _ in range(req["layers"])], name="bench"
        )
        return {"bytes": int(sum(w.numpy().nbytes for w in model.weights))}
    if op == "save":
        t = time.perf_counter()
        model.save_weights(req["path"])
        return {"seconds": time.perf_counter() - t}
    if op == "load":
        t = time.perf_counter()
        model.load_weights(req["path"])
        return {"seconds": time.perf_counter() - t}
    if op == "peak":
        gc.collect()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = status_kib("VmRSS")
        (model.save_weights if req["what"] == "save" else model.load_weights)(req["path"])
        return {"growth": (status_kib("VmHWM") - before) * 1024}
    raise ValueError(f"unknown op {op}")


for line in sys.stdin:
    req = json.loads(line)
    try:
        reply = {"ok": True, **handle(req)}
    except Exception as e:  # noqa: BLE001 - reported to the bench
        reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
