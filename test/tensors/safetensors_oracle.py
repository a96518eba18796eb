"""Python oracle for ckpt's safetensors interop tests (test/tensors/python-interop.test.ts).

Builds every expected array independently from the literal values in spec.json, then:
  check DIR     loads DIR/ckpt-plain.safetensors with safetensors.numpy.load_file and DIR/ckpt-all.safetensors
                with safe_open (BF16, which numpy lacks, through safetensors.deserialize) and compares bit for bit;
  write DIR     writes DIR/python-plain.safetensors with safetensors.numpy.save_file and DIR/python-all.safetensors
                with safetensors.serialize_file (TensorSpec, for BF16);
  batch         stdin: JSON list of {tensors: [{name, dtype, shape, hex}], metadata, ckpt}; for each, serialises the
                tensors with safetensors.serialize and reads ckpt's file with safetensors.deserialize;
  validate      stdin: JSON list of hex files; prints "ok" or the reference reader's error for each.
Prints one JSON document on stdout.
"""
import json
import sys

import numpy as np
import safetensors
from safetensors import TensorSpec, deserialize, safe_open, serialize, serialize_file
from safetensors.numpy import load_file, save_file

NUMPY = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "U8": np.uint8, "BOOL": np.bool_,
         "F16": np.float16, "I8": np.int8, "I16": np.int16, "U16": np.uint16, "U32": np.uint32, "U64": np.uint64}
SPEC_NAMES = {"BOOL": "bool", "U8": "uint8", "I8": "int8", "I16": "int16", "U16": "uint16", "I32": "int32",
              "U32": "uint32", "I64": "int64", "U64": "uint64", "F16": "float16", "BF16": "bfloat16",
              "F32": "float32", "F64": "float64", "C64": "complex64", "F8_E4M3": "float8_e4m3fn",
              "F8_E4M3FNUZ": "float8_e4m3fnuz", "F8_E5M2": "float8_e5m2", "F8_E5M2FNUZ": "float8_e5m2fnuz",
              "F8_E8M0": "float8_e8m0fnu"}


def number(v):
    return float(v) if isinstance(v, str) else v


def expected(t):
    """The array a spec entry describes: bit patterns for F16/BF16 (as uint16), literal values otherwise."""
    if t["dtype"] in ("F16", "BF16"):
        return np.array(t["bits"], dtype="<u2").reshape(t["shape"])
    if t["dtype"] in ("I64", "U64"):
        return np.array([int(v) for v in t["values"]], dtype=NUMPY[t["dtype"]]).reshape(t["shape"])
    if t["dtype"] == "BOOL":
        return np.array(t["values"], dtype=np.bool_).reshape(t["shape"])
    return np.array([number(v) for v in t["values"]], dtype=NUMPY[t["dtype"]]).reshape(t["shape"])


def widened(t):
    """F16/BF16 as float32, computed by numpy (F16) or by shifting the bits (BF16)."""
    bits = expected(t)
    if t["dtype"] == "F16":
        return bits.view(np.float16).astype(np.float32)
    return (bits.astype("<u4") << 16).view(np.float32)


def same(a, b):
    return a.dtype == b.dtype and list(a.shape) == list(b.shape) and a.tobytes() == b.tobytes()


def check(d, spec):
    problems = []
    plain = load_file(f"{d}/ckpt-plain.safetensors")
    with safe_open(f"{d}/ckpt-plain.safetensors", "np") as f:
        if f.metadata() != spec["plainMetadata"]:
            problems.append(f"plain metadata {f.metadata()!r}")
    for t in spec["tensors"]:
        if t["dtype"] == "BF16":
            continue
        if t["name"] not in plain:
            problems.append(f"plain: {t['name']} missing")
            continue
        want = expected(t)
        got = plain[t["name"]]
        if t["dtype"] == "F16":
            got = got.view("<u2")
            if not np.array_equal(plain[t["name"]].astype(np.float32), widened(t), equal_nan=True):
                problems.append(f"plain: {t['name']} float values differ")
        if not same(got, want):
            problems.append(f"plain: {t['name']} got {got.dtype} {got.shape} {got.tobytes().hex()} want {want.tobytes().hex()}")
        if "floats" in t and not np.array_equal(plain[t["name"]].astype(np.float64),
                                                np.array([number(v) for v in t["floats"]]).reshape(t["shape"]), equal_nan=True):
            problems.append(f"plain: {t['name']} values differ from the literal floats")
    raw = {name: view for name, view in deserialize(open(f"{d}/ckpt-all.safetensors", "rb").read())}
    with safe_open(f"{d}/ckpt-all.safetensors", "np") as f:
        if f.metadata() != spec["allMetadata"]:
            problems.append(f"all metadata {f.metadata()!r}")
        for t in spec["tensors"]:
            if t["dtype"] == "BF16":
                v = raw[t["name"]]
                got = np.frombuffer(v["data"], dtype="<u2").reshape(v["shape"])
                if v["dtype"] != "BF16" or not same(got, expected(t)):
                    problems.append(f"all: {t['name']} BF16 bits differ")
                floats = (got.astype("<u4") << 16).view(np.float32)
                if not np.array_equal(floats.astype(np.float64),
                                      np.array([number(x) for x in t["floats"]]).reshape(t["shape"]), equal_nan=True):
                    problems.append(f"all: {t['name']} BF16 values differ from the literal floats")
                continue
            got = f.get_tensor(t["name"])
            if t["dtype"] == "F16":
                got = got.view("<u2")
            if not same(got, expected(t)):
                problems.append(f"all: {t['name']} differs")
    return {"problems": problems, "checked": len(spec["tensors"]), "version": safetensors.__version__}


def spec_tensor(dtype, shape, arr):
    return TensorSpec(dtype=SPEC_NAMES[dtype], shape=shape, data_ptr=arr.ctypes.data, data_len=arr.nbytes)


def write(d, spec):
    arrays = {t["name"]: expected(t) for t in spec["tensors"]}
    plain = {t["name"]: (arrays[t["name"]].view(np.float16) if t["dtype"] == "F16" else arrays[t["name"]])
             for t in spec["tensors"] if t["dtype"] != "BF16"}
    save_file(plain, f"{d}/python-plain.safetensors", metadata=spec["plainMetadata"])
    specs = {t["name"]: spec_tensor(t["dtype"], t["shape"], arrays[t["name"]]) for t in spec["tensors"]}
    serialize_file(specs, f"{d}/python-all.safetensors", metadata=spec["allMetadata"])
    return {"written": 2}


def batch(cases):
    out = []
    for case in cases:
        keep = []
        specs = {}
        for t in case["tensors"]:
            arr = np.frombuffer(bytes.fromhex(t["hex"]), dtype=np.uint8).copy()
            keep.append(arr)
            specs[t["name"]] = spec_tensor(t["dtype"], t["shape"], arr)
        python = serialize(specs, metadata=case["metadata"])
        read = deserialize(bytes.fromhex(case["ckpt"]))
        out.append({
            "python": bytes(python).hex(),
            "read": sorted([[n, v["dtype"], list(v["shape"]), bytes(v["data"]).hex()] for n, v in read]),
        })
    return out


def validate(files):
    out = []
    for h in files:
        try:
            deserialize(bytes.fromhex(h))
            out.append("ok")
        except Exception as e:  # the reference reader's SafetensorError
            out.append(f"error: {e}")
    return out


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "check":
        result = check(sys.argv[2], json.load(open(f"{sys.argv[2]}/spec.json")))
    elif command == "write":
        result = write(sys.argv[2], json.load(open(f"{sys.argv[2]}/spec.json")))
    elif command == "batch":
        result = batch(json.load(sys.stdin))
    else:
        result = validate(json.load(sys.stdin))
    json.dump(result, sys.stdout)
