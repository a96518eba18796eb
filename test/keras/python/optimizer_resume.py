"""Training resumed across frameworks (test/keras/optimizer-resume-interop.test.ts), run by keras_server.py's
`script` op: reads `request`, sets `result`. One request covers every optimizer case of one direction.

request: {"mode": "save" | "resume", "inputs", "targets", "before", "after", "cases": [{"label", "keras", "path", "seed"}]}
- save: builds the test's model with seeded weights, compiles it with `eval(case["keras"])`, trains `before` steps,
  writes `path` (.keras), then trains `after` more steps;
- resume: `keras.models.load_model(path)`, then trains `after` steps.
result: {label: {"weights": [...], "iterations": int (before the `after` steps), "config": the model's
optimizer.get_config(), "reference": get_config() of a new `eval(case["keras"])`}}
"""
import numpy as np
import keras
from keras import layers


def build():
    # test/keras/support/archs.ts's 'functional'
    i = keras.Input((3,), name="x")
    h = layers.Dense(4, activation="tanh")(i)
    return keras.Model(i, layers.Dense(2)(h), name="functional")


def flat(model):
    return [np.asarray(w).astype("float64").ravel().tolist() for w in model.get_weights()]


def run(request):
    x = np.asarray(request["inputs"], dtype="float32")
    y = np.asarray(request["targets"], dtype="float32")
    out = {}
    for case in request["cases"]:
        if request["mode"] == "save":
            model = build()
            rng = np.random.default_rng(case["seed"])
            for v in model.weights:
                v.assign(rng.normal(scale=0.5, size=v.shape).astype("float32"))
            # Eager steps: tracing a train function per model would cost more than these few steps.
            model.compile(optimizer=eval(case["keras"], {"keras": keras}), loss="mse", run_eagerly=True)
            for _ in range(request["before"]):
                model.train_on_batch(x, y)
            model.save(case["path"])
            config = model.optimizer.get_config()
        else:
            model = keras.models.load_model(case["path"])
            model.run_eagerly = True
            config = model.optimizer.get_config()
        iterations = int(model.optimizer.iterations.numpy())
        for _ in range(request["after"]):
            model.train_on_batch(x, y)
        reference = eval(case["keras"], {"keras": keras}).get_config()
        out[case["label"]] = {"weights": flat(model), "iterations": iterations, "config": config, "reference": reference}
    return out


result = run(request)  # noqa: F821 (given by the script op)
