"""Keras 3 side of ckpt's interop tests: one process serves many requests (importing TensorFlow is slow).

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout:
  {"id": 1, "op": "...", ...}  ->  {"id": 1, "ok": true, ...} | {"id": 1, "ok": false, "error": "..."}
The architectures below mirror those built in test/keras/support/archs.ts.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402


def build(arch):
    if arch == "mlp":
        return keras.Sequential(
            [keras.Input((4,)), layers.Dense(8, activation="relu", name="hidden"), layers.Dropout(0.2), layers.Dense(3, name="out")],
            name="mlp",
        )
    if arch == "cnn":
        return keras.Sequential(
            [
                keras.Input((6, 6, 2)),
                layers.Conv2D(3, 3, activation="relu"),
                layers.BatchNormalization(),
                layers.Flatten(),
                layers.Dense(2),
            ],
            name="cnn",
        )
    if arch == "lstm":
        return keras.Sequential(
            [
                keras.Input((5,), dtype="int32"),
                layers.Embedding(12, 4),
                layers.LSTM(3, return_sequences=True),
                layers.LSTM(2),
                layers.Dense(1),
            ],
            name="lstm",
        )
    if arch == "gru":
        return keras.Sequential(
            [keras.Input((4, 3)), layers.GRU(5, reset_after=False, return_sequences=True), layers.GRU(2, reset_after=False), layers.Dense(2)],
            name="gru",
        )
    if arch == "gru_reset_after":
        return keras.Sequential([keras.Input((4, 3)), layers.GRU(5), layers.Dense(2)], name="gru_reset_after")
    if arch == "functional":
        i = keras.Input((3,), name="x")
        h = layers.Dense(4, activation="tanh")(i)
        o = layers.Dense(2)(h)
        return keras.Model(i, o, name="functional")
    if arch == "branches":
        a = keras.Input((3,), name="a")
        b = keras.Input((2,), name="b")
        ha = layers.Dense(4, activation="tanh", name="ha")(a)
        hb = layers.Dense(4, name="hb")(b)
        cat = layers.Concatenate(name="cat")([ha, hb])
        add = layers.Add(name="add")([ha, hb])
        o1 = layers.Dense(2, name="o1")(cat)
        o2 = layers.Dense(1, name="o2")(add)
        return keras.Model([a, b], [o1, o2], name="branches")
    if arch == "mixed":
        tokens = keras.Input((5,), dtype="int32", name="tokens")
        feats = keras.Input((6, 6, 2), name="feats")
        e = layers.Embedding(12, 4)(tokens)
        s = layers.LSTM(3, return_sequences=True)(e)
        s = layers.GRU(2, reset_after=False)(s)
        c = layers.Conv2D(3, 3, activation="relu")(feats)
        c = layers.BatchNormalization()(c)
        c = layers.Flatten()(c)
        c = layers.Dense(3)(c)
        c = layers.Dropout(0.2)(c)
        x = layers.Concatenate()([s, c])
        return keras.Model([tokens, feats], layers.Dense(2)(x), name="mixed")
    raise ValueError(f"unknown arch {arch}")


def as_inputs(spec):
    """A list of {data, dtype} as numpy arrays (the inputs of a Functional model, in order)."""
    return [np.asarray(i["data"], dtype=i.get("dtype", "float32")) for i in spec]


def all_outputs(model, xs):
    ys = model(xs if len(xs) > 1 else xs[0], training=False)
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    return [np.asarray(y).astype("float64").tolist() for y in ys]


def make_optimizer(spec):
    if spec is None:
        return None
    kind = spec["kind"]
    lr = spec.get("lr", 0.01)
    if kind == "adam":
        return keras.optimizers.Adam(learning_rate=lr)
    if kind == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=spec.get("momentum", 0.0), nesterov=spec.get("nesterov", False))
    if kind == "adagrad":
        return keras.optimizers.Adagrad(learning_rate=lr)
    if kind == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr, momentum=spec.get("momentum", 0.0), centered=spec.get("centered", False))
    raise ValueError(f"unknown optimizer {kind}")


def as_input(arch, inputs):
    return np.asarray(inputs, dtype="int32" if arch == "lstm" else "float32")


def outputs(model, x):
    return np.asarray(model(x, training=False)).astype("float64").tolist()


def compiled(arch, spec):
    model = build(arch)
    opt = make_optimizer(spec)
    if opt is not None:
        model.compile(optimizer=opt, loss="mse")
        opt.build(model.trainable_variables)
    return model


def train(model, x, steps, targets=None):
    if targets is None:
        rng = np.random.default_rng(7)
        y = rng.normal(size=model(x, training=False).shape).astype("float32")
    else:
        y = np.asarray(targets, dtype="float32")
    for _ in range(steps):
        model.train_on_batch(x, y)


def optimizer_vars(model):
    if getattr(model, "optimizer", None) is None:
        return None
    return [np.asarray(v).astype("float64").ravel().tolist() for v in model.optimizer.variables]


def describe_h5(path):
    """What h5py sees in an HDF5 file: each object (root first, then by name), its attributes (type, and value for
    all but `name`, whose values are layer names), and each dataset's type, shape and storage."""
    import h5py

    def attrs(obj):
        out = {}
        for key in sorted(obj.attrs.keys()):
            aid = obj.attrs.get_id(key)
            string = h5py.check_string_dtype(aid.dtype)
            value = obj.attrs[key]
            out[key] = {
                "python": type(value).__name__,
                "dtype": str(aid.dtype),
                "string": None if string is None else [string.encoding, string.length],
                "shape": list(aid.shape),
                **({} if key == "name" else {"value": str(value)}),
            }
        return out

    objects = []

    def visit(name, obj):
        entry = {"path": "/" + name if name else "/", "attrs": attrs(obj)}
        if isinstance(obj, h5py.Dataset):
            plist = obj.id.get_create_plist()
            entry.update(
                kind="dataset",
                dtype=obj.dtype.str,
                shape=list(obj.shape),
                maxshape=list(obj.maxshape),
                chunks=obj.chunks,
                compression=obj.compression,
                layout=plist.get_layout(),
                external=obj.external,
                virtual=obj.is_virtual,
                fillvalue=str(obj.fillvalue),
                stored=obj.id.get_storage_size() == obj.nbytes,
            )
        else:
            entry.update(kind="group", members=sorted(obj.keys()))
        objects.append(entry)

    with h5py.File(path, "r") as f:
        visit("", f)
        f.visititems(visit)
    return sorted(objects, key=lambda o: o["path"])


def handle(req):
    op = req["op"]
    if op == "ping":
        return {"keras": keras.__version__}
    if op == "describe_h5":
        return {"objects": describe_h5(req["path"])}
    if op == "save_weights":
        model = compiled(req["arch"], req.get("optimizer"))
        x = as_input(req["arch"], req["inputs"])
        rng = np.random.default_rng(req.get("seed", 1))
        for v in model.weights:
            v.assign(rng.uniform(0.1, 0.9, size=v.shape).astype("float32") if "variance" in v.path else rng.normal(scale=0.5, size=v.shape).astype("float32"))
        if req.get("train_steps", 0) > 0:
            train(model, x, req["train_steps"], req.get("targets"))
        if req["path"].endswith(".keras"):
            model.save(req["path"])
        else:
            model.save_weights(req["path"])
        reply = {"outputs": outputs(model, x), "optimizer_vars": optimizer_vars(model)}
        if req.get("then_steps", 0) > 0:
            train(model, x, req["then_steps"], req.get("targets"))
            reply["outputs_after"] = outputs(model, x)
        return reply
    if op == "load_weights":
        model = compiled(req["arch"], req.get("optimizer"))
        model.load_weights(req["path"])
        x = as_input(req["arch"], req["inputs"])
        reply = {"outputs": outputs(model, x), "optimizer_vars": optimizer_vars(model)}
        if req.get("then_steps", 0) > 0:
            train(model, x, req["then_steps"], req.get("targets"))
            reply["outputs_after"] = outputs(model, x)
        return reply
    if op == "load_model":
        model = keras.models.load_model(req["path"])
        x = np.asarray(req["inputs"], dtype=req.get("dtype", "float32"))
        opt = getattr(model, "optimizer", None)
        return {
            "outputs": outputs(model, x),
            "optimizer": None if opt is None else type(opt).__name__,
            "optimizer_vars": optimizer_vars(model),
            "layers": [type(layer).__name__ for layer in model.layers],
        }
    if op == "save_functional":
        model = compiled(req["arch"], req.get("optimizer"))
        xs = as_inputs(req["inputs"])
        rng = np.random.default_rng(req.get("seed", 1))
        for v in model.weights:
            v.assign(rng.uniform(0.1, 0.9, size=v.shape).astype("float32") if "variance" in v.path else rng.normal(scale=0.5, size=v.shape).astype("float32"))
        if req.get("train_steps", 0) > 0:
            ys = [np.random.default_rng(7).normal(size=np.shape(y)).astype("float32") for y in all_outputs(model, xs)]
            for _ in range(req["train_steps"]):
                model.train_on_batch(xs if len(xs) > 1 else xs[0], ys if len(ys) > 1 else ys[0])
        model.save(req["path"])
        return {"outputs": all_outputs(model, xs), "layers": [layer.name for layer in model.layers], "inputs": [t.name for t in model.inputs]}
    if op == "load_functional":
        model = keras.models.load_model(req["path"])
        xs = as_inputs(req["inputs"])
        opt = getattr(model, "optimizer", None)
        return {
            "outputs": all_outputs(model, xs),
            "optimizer": None if opt is None else type(opt).__name__,
            "class": type(model).__name__,
            "layers": [layer.name for layer in model.layers],
            "inputs": [t.name for t in model.inputs],
        }
    if op == "script":
        # A test's own Python, run here rather than in a fresh interpreter (importing TensorFlow again costs ~8 s):
        # it reads `request` and sets `result`.
        scope = {"request": req.get("request", {}), "np": np, "keras": keras, "os": os, "json": json}
        exec(req["code"], scope)
        return {"result": scope.get("result")}
    if op == "model_set":
        import model_set

        return {"models": model_set.generate(req.get("names") or list(model_set.MODELS), req["dir"])}
    if op == "check_model_set":
        import model_set

        return model_set.check(req["name"], req["keras_path"], req["weights_path"], req["inputs"])
    raise ValueError(f"unknown op {op}")


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            # allow_nan=False: a NaN or infinity in a reply fails the request (ValueError) rather than reaching the
            # test as a bare NaN token, which is not JSON.
            reply = json.dumps({"id": req.get("id"), "ok": True, **handle(req)}, allow_nan=False)
        except Exception as e:  # reported to the test, which fails with it
            reply = json.dumps({"id": req.get("id"), "ok": False, "error": f"{type(e).__name__}: {e}"})
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
