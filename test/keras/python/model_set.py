"""The model set of ckpt's Keras interop suite (test/keras/model-set-interop.test.ts), built at test time.

Each entry builds one small model from fixed seeds; `generate` saves each as `.keras` with seeded weights and
returns seeded inputs and Keras's outputs on them. Add a model by adding a builder to MODELS (part B of issue 15
adds the custom layers and the keras.applications models here): the suite runs every model it lists, in one
Python process and one generation request.
"""
import os
import time

import numpy as np
import keras
from keras import layers as L


def _convnet():
    return keras.Sequential(
        [
            keras.Input((12, 12, 3)),
            L.Rescaling(1 / 127.5, offset=-1),
            L.ZeroPadding2D(((1, 0), (1, 0))),
            L.Conv2D(4, 3, strides=2),
            L.BatchNormalization(),
            L.ReLU(max_value=6.0),
            L.DepthwiseConv2D(3, padding="same", depth_multiplier=2),
            L.Activation("swish"),
            L.MaxPooling2D(),
            L.SeparableConv2D(5, 2, padding="same", depth_multiplier=2, activation="relu"),
            L.AveragePooling2D(2, padding="same"),
            L.GlobalAveragePooling2D(),
            L.Dense(3, activation="softmax"),
        ],
        name="convnet",
    )


def _upsample():
    return keras.Sequential(
        [
            keras.Input((8, 8, 2)),
            L.Cropping2D(((1, 0), (0, 1))),
            L.Conv2D(3, 3, activation="gelu"),
            L.Conv2DTranspose(4, 3, strides=2, padding="same"),
            L.LeakyReLU(negative_slope=0.2),
            L.UpSampling2D(),
            L.PReLU(),
            L.ELU(),
            L.GlobalMaxPooling2D(),
            L.Dense(2, activation="mish"),
        ],
        name="upsample",
    )


def _sequence1d():
    return keras.Sequential(
        [
            keras.Input((10, 3)),
            L.Conv1D(4, 3, activation="selu"),
            L.MaxPooling1D(2),
            L.Conv1D(4, 2, padding="same"),
            L.AveragePooling1D(2, strides=1),
            L.LayerNormalization(epsilon=1e-5),
            L.GlobalAveragePooling1D(),
            L.Dense(2),
        ],
        name="sequence1d",
    )


def _recurrent():
    return keras.Sequential(
        [
            keras.Input((5, 3)),
            L.SimpleRNN(4, return_sequences=True),
            L.Bidirectional(L.LSTM(3, return_sequences=True)),
            L.Bidirectional(L.GRU(2, reset_after=False, return_sequences=True), merge_mode="sum"),
            L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode="mul"),
            L.Bidirectional(L.LSTM(2), merge_mode="ave"),
            L.Dense(2),
        ],
        name="recurrent",
    )


def _shapes():
    return keras.Sequential(
        [
            keras.Input((6,)),
            L.Dense(12, activation="softsign"),
            L.Reshape((3, 4)),
            L.Permute((2, 1)),
            L.GlobalMaxPooling1D(),
            L.RepeatVector(2),
            L.Softmax(),
            L.Flatten(),
            L.Dense(2, activation="softplus"),
        ],
        name="shapes",
    )


def _squeeze_excite():
    image = keras.Input((6, 6, 3), name="image")
    side = keras.Input((4,), name="side")
    c = L.Conv2D(4, 3, padding="same")(image)
    s = L.GlobalAveragePooling2D()(c)
    s = L.Dense(2, activation="relu")(s)
    s = L.Dense(4, activation="sigmoid")(s)
    s = L.Reshape((1, 1, 4))(s)
    x = L.Multiply()([c, s])
    y = L.Conv2D(4, 1, activation="tanh")(c)
    x = L.Average()([L.Maximum()([x, y]), L.Minimum()([x, y])])
    x = L.GlobalMaxPooling2D()(x)
    h = L.Dense(4, activation="elu")(side)
    out = L.Dense(3)(L.Concatenate()([x, h]))
    aux = L.Dense(1, activation="sigmoid")(L.Add()([x, h]))
    return keras.Model([image, side], [out, aux], name="squeeze_excite")


def _volumes():
    return keras.Sequential(
        [
            keras.Input((6, 6, 6, 2)),
            L.Conv3D(3, 2, activation="relu6"),
            L.MaxPooling3D(2, padding="same"),
            L.AveragePooling3D(2),
            L.Flatten(),
            L.Dense(2),
        ],
        name="volumes",
    )


def _hard_ops():
    """MobileNetV3's pieces: its hard sigmoid as operation nodes (`x + 3.0`, `* (1/6)`), hard_silu, keepdims."""
    x0 = keras.Input((6, 6, 3))
    x = L.Conv2D(4, 3, padding="same")(x0)
    gate = L.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)
    x = L.Multiply()([x, gate])
    s = L.GlobalAveragePooling2D(keepdims=True)(x)
    s = L.Conv2D(4, 1, activation="hard_sigmoid")(s)
    x = L.Multiply()([x, s])
    x = L.Activation("hard_silu")(x)
    y = L.GlobalMaxPooling2D(keepdims=True)(x)
    y = L.Flatten()((1.0 - y) / 2.0)
    z = L.GlobalAveragePooling1D(keepdims=True)(L.Reshape((36, 4))(x - 0.5))
    z = L.GlobalMaxPooling1D()(L.Activation("hard_swish")(z))
    out = L.Dense(2, activation="hard_silu")(L.Concatenate()([y, z, y * z]))
    return keras.Model(x0, out, name="hard_ops")


def _normalization():
    """Normalization layers (mean and variance as weights: `_randomize` sets them) on kept axes, all, and inverted."""
    return keras.Sequential(
        [
            keras.Input((4, 3)),
            L.Normalization(),
            L.Normalization(axis=1),
            L.Normalization(axis=(1, 2)),
            L.Normalization(axis=None),
            L.Dense(3),
            L.Normalization(invert=True),
            L.Flatten(),
            L.Dense(2),
        ],
        name="normalization",
    )


def _gru_reset_after():
    """GRU with Keras's default reset_after=True: two biases, bias (2, 3 * units)."""
    return keras.Sequential(
        [
            keras.Input((5, 3)),
            L.GRU(4, return_sequences=True),
            L.Bidirectional(L.GRU(3, return_sequences=True)),
            L.GRU(3, use_bias=False, go_backwards=True, return_sequences=True),
            L.GRU(2, activation="relu", recurrent_activation="hard_sigmoid"),
            L.Dense(2),
        ],
        name="gru_reset_after",
    )


def _transformer():
    """A tiny transformer block (MultiHeadAttention, residuals, LayerNormalization, feed-forward), and a
    cross-attention with value_dim, output_shape and its own key."""
    x0 = keras.Input((5, 8))
    a = L.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.1)(x0, x0)
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x0, L.Dropout(0.1)(a)]))
    f = L.Dense(8)(L.Dense(16, activation="gelu")(x))
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, f]))
    c = L.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=3, output_shape=6, use_bias=False)(x, x0, x)
    out = L.Dense(2)(L.GlobalAveragePooling1D()(c))
    return keras.Model(x0, out, name="transformer")


# keras.applications (issue 15, goal 1): the small models, built as the issue says (weights=None, small inputs), with
# logits (classifier_activation=None): a softmax saturates, and the outputs compared would be exact 0s and 1s. These
# nets are deep: `generate` gives them batch-1 inputs and He-scaled weights (`_randomize_deep`), since the set's plain
# normal(0.5) weights grow without bound through a hundred layers, and `build` compiles them with SGD.
def _application(cls, **kwargs):
    def builder():
        return cls(input_shape=(32, 32, 3), weights=None, classes=3, classifier_activation=None, **kwargs)

    builder.deep = True
    return builder


_mobilenet = _application(keras.applications.MobileNet, alpha=0.25)
# MobileNetV3Small: hard_sigmoid as operation nodes (`x + 3.0`, `* (1/6)`), hard_swish, keepdims pooling.
_mnv3 = _application(keras.applications.MobileNetV3Small, alpha=0.75)
_mnv3min = _application(keras.applications.MobileNetV3Small, alpha=0.75, minimalistic=True)
_mobilenetv2 = _application(keras.applications.MobileNetV2, alpha=0.35)
_efficientnetb0 = _application(keras.applications.EfficientNetB0)
_densenet121 = _application(keras.applications.DenseNet121)
_nasnetmobile = _application(keras.applications.NASNetMobile)


def _randomize_deep(model, seed):
    """He-scaled kernels (std sqrt(2 / fan_in); a depthwise kernel's fan-in is its window), scales and variances
    in [0.5, 1.5], biases, offsets and means normal(0.1)."""
    rng = np.random.default_rng(seed)
    for v in model.weights:
        if "int" in v.dtype:
            continue
        shape = tuple(v.shape)
        if len(shape) >= 2:
            fan_in = int(np.prod(shape[:-2] if "depthwise_kernel" in v.path else shape[:-1]))
            v.assign(rng.normal(scale=np.sqrt(2.0 / fan_in), size=shape))
        elif "variance" in v.path or v.path.endswith("gamma"):
            v.assign(rng.uniform(0.5, 1.5, size=shape))
        else:
            v.assign(rng.normal(scale=0.1, size=shape))
    for layer in model.layers:
        if isinstance(layer, L.Normalization):
            layer.finalize_state()


# Shared layers and nested models (issue 15 goal 2): test/keras/shared-layers-interop.test.ts and
# nested-models-interop.test.ts run these too.


def _siamese():
    """A siamese pair: one encoder (a nested Sequential) called on both inputs, and a shared Dense on both codes."""
    encoder = keras.Sequential([keras.Input((4,)), L.Dense(5, activation="relu"), L.Dense(3)], name="encoder")
    left, right = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    head = L.Dense(3, activation="tanh", name="head")
    a, b = head(encoder(left)), head(encoder(right))
    out = L.Dense(1, activation="sigmoid")(L.Concatenate()([a, b, L.Multiply()([a, b])]))
    return keras.Model([left, right], out, name="siamese")


def _repeated():
    """One Dense called three times on its own output, and a BatchNormalization called on two branches."""
    x0 = keras.Input((5,))
    step = L.Dense(5, activation="tanh", name="step")
    x = step(step(step(x0)))
    norm = L.BatchNormalization(name="norm")
    return keras.Model(x0, L.Dense(2)(L.Add()([norm(x), norm(x0)])), name="repeated")


def _seq_in_func():
    inner = keras.Sequential([keras.Input((4,)), L.Dense(6, activation="relu"), L.BatchNormalization(), L.Dense(3)], name="inner_seq")
    x0 = keras.Input((4,))
    h = L.Dense(4)(x0)
    return keras.Model(x0, L.Dense(2)(L.Concatenate()([inner(h), h])), name="seq_in_func")


def _func_in_seq():
    i = keras.Input((3,))
    inner = keras.Model(i, L.Dense(4)(L.Dense(4, activation="tanh")(i)), name="inner_func")
    return keras.Sequential([keras.Input((3,)), inner, L.Dense(2)], name="func_in_seq")


def _two_level():
    """A Functional model in a Functional model, itself holding a Sequential: Dense layers at every level."""
    leaf = keras.Sequential([keras.Input((4,)), L.Dense(4, activation="relu")], name="leaf")
    mi = keras.Input((4,))
    mid = keras.Model(mi, L.Dense(3)(leaf(L.Dense(4)(mi))), name="mid")
    x0 = keras.Input((4,))
    return keras.Model(x0, L.Dense(2)(mid(L.Dense(4)(x0))), name="two_level")


def _late_first_call():
    """A nested model defined before the layers that feed it: Keras lists it after them."""
    late = keras.Sequential([keras.Input((3,)), L.Dense(3, activation="tanh")], name="late")
    x0 = keras.Input((4,))
    h = L.Dense(3, activation="relu")(L.Dense(3)(x0))
    return keras.Model(x0, L.Dense(2)(late(h)), name="late_first_call")


def _nested_outputs():
    """A nested Functional called twice with both calls outputs of the model, and a nested Sequential's call a third:
    Keras numbers a nested Functional's calls from 1 in `output_layers` (from 0 in `keras_history`), a Sequential's from 0."""
    i = keras.Input((3,))
    inner = keras.Model(i, L.Dense(3, activation="tanh")(i), name="inner_out")
    tail = keras.Sequential([keras.Input((3,)), L.Dense(2)], name="seq_out")
    x0 = keras.Input((3,))
    a = inner(x0)
    return keras.Model(x0, [a, inner(L.Dense(3)(x0)), tail(a)], name="nested_outputs")


MODELS = {
    "convnet": _convnet,
    "upsample": _upsample,
    "sequence1d": _sequence1d,
    "recurrent": _recurrent,
    "shapes": _shapes,
    "squeeze_excite": _squeeze_excite,
    "volumes": _volumes,
    "hard_ops": _hard_ops,
    "normalization": _normalization,
    "gru_reset_after": _gru_reset_after,
    "transformer": _transformer,
    "mnv3": _mnv3,
    "mnv3min": _mnv3min,
    # shared layers and nested models
    "siamese": _siamese,
    "repeated": _repeated,
    "seq_in_func": _seq_in_func,
    "func_in_seq": _func_in_seq,
    "two_level": _two_level,
    "late_first_call": _late_first_call,
    "nested_outputs": _nested_outputs,
    # keras.applications
    "mobilenet": _mobilenet,
    "mobilenetv2": _mobilenetv2,
    "efficientnetb0": _efficientnetb0,
    "densenet121": _densenet121,
    "nasnetmobile": _nasnetmobile,
}


def build(name):
    keras.utils.set_random_seed(sum(map(ord, name)))
    model = MODELS[name]()
    # The deep models train with plain SGD, which has no slot variables: Adam's two per weight would triple their files.
    deep = getattr(MODELS[name], "deep", False)
    optimizer = keras.optimizers.SGD(learning_rate=0.01) if deep else keras.optimizers.Adam(learning_rate=0.01)
    model.compile(optimizer=optimizer, loss="mse")
    model.optimizer.build(model.trainable_variables)
    return model


def _inputs(model, seed, batch=3):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, size=(batch, *t.shape[1:])).astype("float32") for t in model.inputs]


def _outputs(model, xs):
    ys = model(xs if len(xs) > 1 else xs[0], training=False)
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    return [np.asarray(y).astype("float64").tolist() for y in ys]


def _randomize(model, seed):
    rng = np.random.default_rng(seed)
    for v in model.weights:
        if "int" in v.dtype:  # Normalization's count: kept for older files, unused
            continue
        positive = "variance" in v.path
        v.assign(rng.uniform(0.1, 0.9, size=v.shape) if positive else rng.normal(scale=0.5, size=v.shape))
    for layer in model.layers:
        if isinstance(layer, L.Normalization):
            layer.finalize_state()  # Normalization computes its broadcast mean and variance from its weights here


# The models `generate` built in this process, by name, for `check` to load ckpt's `.weights.h5` into: building the
# deep ones again costs seconds (NASNetMobile about 7 s). `load_weights` assigns every variable or raises (a layer's
# variables missing from the file, or fewer of them: "expected 4 variables, but received 3"), so the generated
# model's own weights cannot show through.
_generated = {}


def generate(names, directory):
    """Saves each model as `<directory>/<name>.keras` with seeded weights; its inputs and Keras's outputs."""
    out = {}
    for i, name in enumerate(names):
        started = time.perf_counter()
        model = build(name)
        deep = getattr(MODELS[name], "deep", False)
        (_randomize_deep if deep else _randomize)(model, 100 + i)
        xs = _inputs(model, 200 + i, batch=1 if deep else 3)
        path = os.path.join(directory, f"{name}.keras")
        model.save(path)
        out[name] = {
            "path": path,
            "inputs": [{"data": x.tolist(), "dtype": "float32"} for x in xs],
            "outputs": _outputs(model, xs),
            "bytes": os.path.getsize(path),
            "seconds": time.perf_counter() - started,
        }
        _generated[name] = model
    return out


def check(name, keras_path, weights_path, inputs):
    """Keras's outputs of the `.keras` file ckpt wrote, and of the model built here with ckpt's `.weights.h5` (the
    one `generate` built, when this process generated it: the pool may send the check to another server)."""
    xs = [np.asarray(i["data"], dtype=i.get("dtype", "float32")) for i in inputs]
    loaded = keras.models.load_model(keras_path)
    built = _generated.pop(name, None)
    if built is None:
        built = build(name)
    built.load_weights(weights_path)
    return {"outputs": _outputs(loaded, xs), "weights_outputs": _outputs(built, xs)}
