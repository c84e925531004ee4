"""Writes the Keras 3 parity fixtures under Tests/NeuralNetTests/Fixtures/keras/.

Each fixture is a small JSON file with inputs, weights (Keras layout and names), outputs and
gradients computed by Keras 3 on the TensorFlow CPU backend in float32, so that the Swift engine
and optimizers can be checked against the reference framework. The format is documented in
Tests/NeuralNetTests/Fixtures/keras/README.md.

Run from the repository root (see scripts/keras_reference/README.md for the setup):

    .venv-keras/bin/python scripts/keras_reference/make_fixtures.py

Every value comes from a fixed seed, so running it again with the same versions rewrites the
same files. Inputs and initial weights are drawn on coarse dyadic grids (multiples of 1/8 or 1/16)
so that they print short and exactly; max-pooling inputs are all distinct, so the gradient of a
window never has to pick between equal maxima, and ReLU inputs are never exactly zero.
"""

import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "keras")
SCHEMA = "notmnist-keras-fixture/1"

TOLERANCE_LAYERS = {"forward_abs": 1e-5, "gradient_rel": 1e-4, "gradient_abs": 1e-5}
TOLERANCE_MODEL = {"forward_abs": 1e-5, "loss_abs": 1e-5, "gradient_rel": 1e-4,
                   "gradient_abs": 1e-5, "updated_weight_abs": 1e-6}
TOLERANCE_OPTIMIZERS = {"weight_abs": 1e-6, "slot_rel": 1e-5, "slot_abs": 1e-7}
# Near the end of a cosine decay, 1 + cos(x) cancels and magnifies one ulp of cos about 20 times.
TOLERANCE_SCHEDULES = {"learning_rate_rel": 1e-5}


# MARK: - Value formatting

def f32(x, digits=7):
    """The shortest decimal text that reads back as the same float32, or 7 significant digits.

    Values with a short exact form (inputs, weights, most outputs) are written exactly; the others
    are rounded to `digits` significant digits: 7 (relative error below 5e-8) for values, 6
    (below 5e-6) for gradients, both far inside the stated tolerances.
    """
    v = np.float32(x)
    if not np.isfinite(v):
        raise ValueError(f"non-finite value {v}")
    exact = str(v)
    rounded = "%.*g" % (digits, float(v))
    if "e" not in rounded and "." not in rounded:
        rounded += ".0"
    text = rounded if len(rounded) < len(exact) else exact
    return text[:-2] if text.endswith(".0") else text


def tensor(array, digits=7):
    """A float32 tensor as {"shape": [...], "values": [...]} (row-major)."""
    a = np.asarray(array, dtype=np.float32)
    return {"shape": list(a.shape), "values": [float(v) for v in a.reshape(-1)], "_f32": True,
            "_digits": digits}


def grad(array):
    """A gradient tensor, written to 6 significant digits."""
    return tensor(array, digits=6)


def dumps(obj, indent=0):
    """JSON text with one line per tensor and float32 values printed exactly and briefly."""
    pad = " " * indent
    if isinstance(obj, tuple):
        obj = list(obj)
    if isinstance(obj, dict) and obj.get("_f32"):
        shape = ",".join(str(int(s)) for s in obj["shape"])
        values = ",".join(f32(v, obj["_digits"]) for v in obj["values"])
        return f'{{"shape":[{shape}],"values":[{values}]}}'
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        if not any(isinstance(v, dict) and v.get("_f32") for v in obj.values()):
            inner = ",".join(f'"{k}":{dumps(v)}' for k, v in obj.items())
            line = "{" + inner + "}"
            if "\n" not in line and len(line) + indent < 200:
                return line
        items = [f'{pad}  "{k}": {dumps(v, indent + 2)}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            return "[" + ",".join(dumps(v) for v in obj) + "]"
        items = [f"{pad}  {dumps(v, indent + 2)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if obj is None:
        return "null"
    if isinstance(obj, (int, np.integer)):
        return str(int(obj))
    if isinstance(obj, (float, np.floating)):
        return repr(float(obj))
    if isinstance(obj, str):
        return '"' + obj.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise TypeError(f"cannot write {type(obj)}")


def scalar(x):
    """A float32 scalar as the shortest float that reads back the same."""
    return float(f32(x))


def header(kind, tolerance, description):
    return {
        "schema": SCHEMA,
        "kind": kind,
        "description": description,
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "backend": "tensorflow (CPU, eager, float32)",
        "tolerance": tolerance,
    }


def write(name, obj):
    path = os.path.join(OUT_DIR, name)
    text = dumps(obj) + "\n"
    with open(path, "w") as handle:
        handle.write(text)
    print(f"{name}: {len(text)} bytes")


# MARK: - Random values on exact grids

class Values:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def grid(self, shape, low, high, step, nonzero=False):
        """Uniform multiples of `step` in [low, high]; optionally never zero."""
        ticks = np.arange(round(low / step), round(high / step) + 1)
        if nonzero:
            ticks = ticks[ticks != 0]
        return (self.rng.choice(ticks, size=shape) * step).astype(np.float32)

    def distinct(self, shape, step=1 / 16):
        """All-distinct positive multiples of `step` in random order."""
        count = int(np.prod(shape))
        ticks = self.rng.permutation(count) + 1
        return (ticks * step).astype(np.float32).reshape(shape)


def gradients_of_weighted_sum(layer, inputs, upstream, training):
    """Output, and gradients of sum(output * upstream) for the inputs and trainable weights."""
    xs = [tf.constant(x) for x in inputs]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = layer(xs if len(xs) > 1 else xs[0], training=training)
        loss = tf.reduce_sum(y * tf.constant(upstream))
    variables = [v.value for v in layer.trainable_weights]
    grads = tape.gradient(loss, xs + variables)
    return y.numpy(), grads[:len(xs)], dict(zip([v.name for v in layer.trainable_weights],
                                                 grads[len(xs):]))


def build(layer, shapes):
    if len(shapes) == 1:
        layer.build(shapes[0])
    else:
        layer.build(shapes)


# MARK: - Layers

def conv2d_fixture():
    values = Values(101)
    cases = []
    specs = [
        ("same_stride1", 1, 4, 2, 2, (3, 3), 1, "same", True),
        ("same_stride2_even", 1, 6, 2, 2, (3, 3), 2, "same", True),
        ("same_stride2_odd", 1, 5, 2, 2, (3, 3), 2, "same", True),
        ("valid_stride1", 1, 5, 2, 2, (3, 3), 1, "valid", True),
        ("valid_stride2_even_no_bias", 1, 6, 1, 2, (3, 3), 2, "valid", False),
        ("same_kernel1", 1, 3, 3, 2, (1, 1), 1, "same", True),
    ]
    for name, batch, size, cin, cout, kernel, stride, padding, use_bias in specs:
        x = values.grid((batch, size, size, cin), -1, 1, 1 / 2)
        layer = keras.layers.Conv2D(cout, kernel, strides=stride, padding=padding,
                                    use_bias=use_bias)
        build(layer, [x.shape])
        weights = {"kernel": values.grid(layer.kernel.shape, -0.5, 0.5, 1 / 4)}
        layer.kernel.assign(weights["kernel"])
        if use_bias:
            weights["bias"] = values.grid(layer.bias.shape, -0.5, 0.5, 1 / 4)
            layer.bias.assign(weights["bias"])
        y_shape = layer.compute_output_shape(x.shape)
        upstream = values.grid(y_shape, -1, 1, 1 / 2)
        y, (dx,), dw = gradients_of_weighted_sum(layer, [x], upstream, training=False)
        cases.append({
            "name": name,
            "config": {"filters": cout, "kernel_size": list(kernel), "strides": [stride, stride],
                       "padding": padding, "use_bias": use_bias},
            "inputs": {"x": tensor(x)},
            "weights": {k: tensor(v) for k, v in weights.items()},
            "output": tensor(y),
            "upstream": tensor(upstream),
            "gradients": {"x": grad(dx), **{k: grad(v) for k, v in dw.items()}},
        })
    write("conv2d.json", {
        **header("Conv2D", TOLERANCE_LAYERS,
                 "keras.layers.Conv2D, kernel HWIO [kh, kw, in, out]; loss = sum(output * "
                 "upstream); gradients of that loss."),
        "training": False,
        "cases": cases,
    })


def batch_norm_fixture():
    values = Values(202)
    cases = []
    for name, training in (("training", True), ("inference", False)):
        x = values.grid((2, 2, 3, 2), -2, 2, 1 / 8)
        layer = keras.layers.BatchNormalization()
        build(layer, [x.shape])
        weights = {
            "gamma": values.grid((2,), 0.5, 1.5, 1 / 8),
            "beta": values.grid((2,), -0.5, 0.5, 1 / 8),
            "moving_mean": values.grid((2,), -0.5, 0.5, 1 / 8),
            "moving_variance": values.grid((2,), 0.5, 2.0, 1 / 8),
        }
        for key, value in weights.items():
            getattr(layer, key).assign(value)
        upstream = values.grid(x.shape, -1, 1, 1 / 4)
        y, (dx,), dw = gradients_of_weighted_sum(layer, [x], upstream, training=training)
        case = {
            "name": name,
            "config": {"axis": -1, "momentum": 0.99, "epsilon": 0.001, "training": training},
            "inputs": {"x": tensor(x)},
            "weights": {k: tensor(v) for k, v in weights.items()},
            "output": tensor(y),
            "upstream": tensor(upstream),
            "gradients": {"x": grad(dx), **{k: grad(v) for k, v in dw.items()}},
        }
        if training:
            flat = x.reshape(-1, 2).astype(np.float64)
            biased = flat.var(axis=0)
            unbiased = flat.var(axis=0, ddof=1)
            mean = flat.mean(axis=0)
            case["batch_statistics"] = {
                "mean": tensor(mean),
                "variance_biased": tensor(biased),
                "variance_unbiased": tensor(unbiased),
            }
            updated_var = layer.moving_variance.numpy()
            expect_biased = weights["moving_variance"] * 0.99 + biased * 0.01
            expect_unbiased = weights["moving_variance"] * 0.99 + unbiased * 0.01
            uses_biased = (np.abs(updated_var - expect_biased).max()
                           < np.abs(updated_var - expect_unbiased).max())
            if not uses_biased:
                sys.exit("BatchNormalization moving variance is not fed the biased variance")
            case["moving_variance_update_uses"] = "biased"
            case["updated"] = {
                "moving_mean": tensor(layer.moving_mean.numpy()),
                "moving_variance": tensor(updated_var),
            }
        cases.append(case)
    write("batch_normalization.json", {
        **header("BatchNormalization", TOLERANCE_LAYERS,
                 "keras.layers.BatchNormalization (axis -1, momentum 0.99, epsilon 1e-3) over "
                 "NHWC input; gradients of sum(output * upstream). In training mode the batch "
                 "mean and biased batch variance normalize the input and feed the moving "
                 "averages: moving = moving * momentum + batch * (1 - momentum)."),
        "cases": cases,
    })


def relu_fixture():
    values = Values(303)
    x = values.grid((2, 3, 3, 2), -1, 1, 1 / 8, nonzero=True)
    upstream = values.grid(x.shape, -1, 1, 1 / 8)
    layer = keras.layers.ReLU()
    y, (dx,), _ = gradients_of_weighted_sum(layer, [x], upstream, training=False)
    write("relu.json", {
        **header("ReLU", TOLERANCE_LAYERS,
                 "keras.layers.ReLU (same as Activation('relu')); inputs never exactly zero."),
        "cases": [{"name": "relu", "config": {}, "inputs": {"x": tensor(x)},
                   "weights": {}, "output": tensor(y), "upstream": tensor(upstream),
                   "gradients": {"x": grad(dx)}}],
    })


def max_pool_fixture():
    values = Values(404)
    cases = []
    specs = [
        ("same_3x3_stride2_even", 1, 6, 3, 2, "same"),
        ("same_3x3_stride2_odd", 1, 5, 3, 2, "same"),
        ("same_3x3_stride1", 1, 4, 3, 1, "same"),
        ("valid_3x3_stride2_odd", 1, 5, 3, 2, "valid"),
    ]
    for name, batch, size, pool, stride, padding in specs:
        # All values are negative, so padding with zeros instead of -inf would show.
        x = -values.distinct((batch, size, size, 1), step=1 / 8)
        layer = keras.layers.MaxPooling2D(pool_size=pool, strides=stride, padding=padding)
        y_shape = layer.compute_output_shape(x.shape)
        upstream = values.grid(y_shape, -1, 1, 1 / 4, nonzero=True)
        y, (dx,), _ = gradients_of_weighted_sum(layer, [x], upstream, training=False)
        cases.append({
            "name": name,
            "config": {"pool_size": [pool, pool], "strides": [stride, stride],
                       "padding": padding},
            "inputs": {"x": tensor(x)},
            "weights": {},
            "output": tensor(y),
            "upstream": tensor(upstream),
            "gradients": {"x": grad(dx)},
        })
    write("max_pooling2d.json", {
        **header("MaxPooling2D", TOLERANCE_LAYERS,
                 "keras.layers.MaxPooling2D; 'same' pads with -inf as TensorFlow does (all inputs "
                 "are negative to show it); the input values are distinct, so each window has "
                 "one maximum."),
        "cases": cases,
    })


def dense_fixture():
    values = Values(505)
    cases = []

    x = values.grid((2, 2, 2, 3), -1, 1, 1 / 8)
    flatten = keras.layers.Flatten()
    dense = keras.layers.Dense(4)
    dense.build((2, 12))
    weights = {"kernel": values.grid((12, 4), -0.5, 0.5, 1 / 16),
               "bias": values.grid((4,), -0.5, 0.5, 1 / 16)}
    dense.kernel.assign(weights["kernel"])
    dense.bias.assign(weights["bias"])
    upstream = values.grid((2, 4), -1, 1, 1 / 8)
    model = keras.Sequential([keras.Input((2, 2, 3), batch_size=2), flatten, dense])
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = model(xt, training=False)
        loss = tf.reduce_sum(y * upstream)
    dx, dk, db = tape.gradient(loss, [xt, dense.kernel.value, dense.bias.value])
    cases.append({
        "name": "flatten_dense",
        "config": {"layers": ["Flatten", "Dense"], "units": 4, "activation": "linear",
                   "use_bias": True},
        "inputs": {"x": tensor(x)},
        "weights": {k: tensor(v) for k, v in weights.items()},
        "output": tensor(y),
        "upstream": tensor(upstream),
        "gradients": {"x": grad(dx), "kernel": grad(dk), "bias": grad(db)},
    })

    x = values.grid((2, 5), -1, 1, 1 / 8)
    layer = keras.layers.Dense(3, activation="relu")
    layer.build((2, 5))
    weights = {"kernel": values.grid((5, 3), -0.5, 0.5, 1 / 16),
               "bias": values.grid((3,), -0.5, 0.5, 1 / 16) + 1 / 32}
    layer.kernel.assign(weights["kernel"])
    layer.bias.assign(weights["bias"])
    upstream = values.grid((2, 3), -1, 1, 1 / 8)
    y, (dx,), dw = gradients_of_weighted_sum(layer, [x], upstream, training=False)
    pre = x @ weights["kernel"] + weights["bias"]
    if np.any(pre == 0) or not np.any(pre < 0):
        sys.exit("dense relu case needs negative and no zero pre-activations")
    cases.append({
        "name": "dense_relu",
        "config": {"units": 3, "activation": "relu", "use_bias": True},
        "inputs": {"x": tensor(x)},
        "weights": {k: tensor(v) for k, v in weights.items()},
        "output": tensor(y),
        "upstream": tensor(upstream),
        "gradients": {"x": grad(dx), **{k: grad(v) for k, v in dw.items()}},
    })
    write("dense.json", {
        **header("Dense", TOLERANCE_LAYERS,
                 "keras.layers.Flatten then Dense (kernel [in, out]): Flatten takes NHWC "
                 "row-major order, feature index = (h * W + w) * C + c. Dense with relu: "
                 "pre-activations are never exactly zero and some are negative."),
        "cases": cases,
    })


def concatenate_fixture():
    values = Values(606)
    x0 = values.grid((2, 2, 2, 2), -1, 1, 1 / 8)
    x1 = values.grid((2, 2, 2, 3), -1, 1, 1 / 8)
    layer = keras.layers.Concatenate(axis=-1)
    upstream = values.grid((2, 2, 2, 5), -1, 1, 1 / 8)
    y, (dx0, dx1), _ = gradients_of_weighted_sum(layer, [x0, x1], upstream, training=False)
    write("concatenate.json", {
        **header("Concatenate", TOLERANCE_LAYERS,
                 "keras.layers.Concatenate(axis=-1) of x0 then x1 along channels."),
        "cases": [{"name": "channels", "config": {"axis": -1},
                   "inputs": {"x0": tensor(x0), "x1": tensor(x1)}, "weights": {},
                   "output": tensor(y), "upstream": tensor(upstream),
                   "gradients": {"x0": grad(dx0), "x1": grad(dx1)}}],
    })


def softmax_fixture():
    values = Values(707)
    x = values.grid((2, 5), -2, 2, 1 / 8)
    layer = keras.layers.Softmax(axis=-1)
    upstream = values.grid((2, 5), -1, 1, 1 / 8)
    y, (dx,), _ = gradients_of_weighted_sum(layer, [x], upstream, training=False)
    labels = np.array([3, 0])
    onehot = np.eye(5, dtype=np.float32)[labels]
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        probs = keras.activations.softmax(xt, axis=-1)
        ce = keras.losses.CategoricalCrossentropy()(onehot, probs)
    dce = tape.gradient(ce, xt)
    write("softmax.json", {
        **header("Softmax", TOLERANCE_LAYERS,
                 "softmax over the last axis (Dense(activation='softmax') applies the same); "
                 "gradients of sum(output * upstream). The cross_entropy entry holds "
                 "CategoricalCrossentropy (mean over the batch) of the softmax of the same "
                 "logits for the given labels and its gradient with respect to the logits."),
        "cases": [{"name": "softmax", "config": {"axis": -1}, "inputs": {"x": tensor(x)},
                   "weights": {}, "output": tensor(y), "upstream": tensor(upstream),
                   "gradients": {"x": grad(dx)},
                   "cross_entropy": {"labels": labels.tolist(), "loss": scalar(ce.numpy()),
                                     "gradient_logits": grad(dce)}}],
    })


# MARK: - Model

def conv_block(x, filters, kernel, names, l2):
    conv_name, bn_name, act_name = names
    x = keras.layers.Conv2D(filters, kernel, padding="same", use_bias=False,
                            kernel_regularizer=keras.regularizers.l2(l2), name=conv_name)(x)
    x = keras.layers.BatchNormalization(name=bn_name)(x)
    return keras.layers.Activation("relu", name=act_name)(x)


def model_fixture():
    values = Values(808)
    l2 = 4e-5
    counters = {"conv2d": 0, "batch_normalization": 0, "activation": 0}

    def names():
        out = []
        for key in ("conv2d", "batch_normalization", "activation"):
            n = counters[key]
            out.append(key if n == 0 else f"{key}_{n}")
            counters[key] = n + 1
        return out

    inputs = keras.Input((4, 4, 1), batch_size=4, name="input")
    x = conv_block(inputs, 4, 3, names(), l2)
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="max_pooling2d")(x)
    b1 = conv_block(x, 1, 1, names(), l2)
    b2 = conv_block(x, 1, 1, names(), l2)
    b2 = conv_block(b2, 1, 3, names(), l2)
    b3 = conv_block(x, 1, 1, names(), l2)
    b3 = conv_block(b3, 1, 3, names(), l2)
    b3 = conv_block(b3, 1, 3, names(), l2)
    b4 = keras.layers.MaxPooling2D(3, strides=1, padding="same", name="max_pooling2d_1")(x)
    b4 = conv_block(b4, 1, 1, names(), l2)
    x = keras.layers.Concatenate(axis=-1, name="concatenate")([b1, b2, b3, b4])
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(8, activation="relu", name="dense")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="dense_1")(x)
    model = keras.Model(inputs, outputs, name="tiny_inception")

    architecture = []
    for layer in model.layers:
        inbound = []
        node = layer._inbound_nodes[0] if layer._inbound_nodes else None
        if node is not None:
            for t in node.input_tensors:
                inbound.append(t._keras_history.operation.name)
        cfg = layer.get_config()
        keep = {}
        for key in ("filters", "kernel_size", "strides", "padding", "use_bias", "pool_size",
                    "axis", "momentum", "epsilon", "units", "batch_shape"):
            if key in cfg:
                keep[key] = cfg[key]
        if cfg.get("activation") not in (None, "linear"):
            keep["activation"] = cfg["activation"]
        if cfg.get("kernel_regularizer"):
            keep["kernel_l2"] = cfg["kernel_regularizer"]["config"]["l2"]
        architecture.append({"name": layer.name, "type": type(layer).__name__,
                             "config": keep, "inputs": inbound})

    weights = {}
    for v in model.weights:
        shape = tuple(v.shape)
        leaf = v.path.split("/")[-1]
        if leaf == "kernel":
            limit = math.sqrt(6.0 / (np.prod(shape[:-1]) + shape[-1] * np.prod(shape[:-2])))
            value = values.grid(shape, -limit, limit, 1 / 8, nonzero=True)
        elif leaf == "gamma":
            value = values.grid(shape, 0.75, 1.25, 1 / 8)
        elif leaf in ("beta", "bias"):
            value = values.grid(shape, -0.25, 0.25, 1 / 8)
        elif leaf == "moving_mean":
            value = values.grid(shape, -0.5, 0.5, 1 / 8)
        elif leaf == "moving_variance":
            value = values.grid(shape, 0.5, 2.0, 1 / 8)
        else:
            sys.exit(f"unexpected weight {v.path}")
        v.assign(value)
        weights[v.path] = value

    images = values.grid((4, 4, 4, 1), 0, 1, 1 / 8)
    labels = np.array([0, 3, 7, 9])
    onehot = np.eye(10, dtype=np.float32)[labels]
    loss_fn = keras.losses.CategoricalCrossentropy()

    inference = model(images, training=False).numpy()
    inference_ce = scalar(loss_fn(onehot, inference).numpy())

    trainable = model.trainable_weights
    with tf.GradientTape() as tape:
        probs = model(images, training=True)
        ce = loss_fn(onehot, probs)
        penalty = tf.add_n(model.losses)
        total = ce + penalty
    grads = tape.gradient(total, [v.value for v in trainable])
    l2_inference = scalar(tf.add_n(model.losses).numpy())

    moving = {v.path: tensor(v.numpy()) for v in model.non_trainable_weights}
    optimizer = keras.optimizers.RMSprop()
    optimizer.apply(grads, trainable)
    updated = {v.path: tensor(v.numpy()) for v in trainable}

    write("model.json", {
        **header("Model", TOLERANCE_MODEL,
                 "A tiny version of the reference network: conv_block(4) -> MaxPool 3x3/2 "
                 "same -> inceptionv2 block (1x1; 1x1->3x3; 1x1->3x3->3x3; maxpool 3x3/1 "
                 "same->1x1; every conv a conv_block, width 1; concat of 4 channels) -> "
                 "Flatten -> Dense 8 relu -> Dense 10 softmax, kernel L2 4e-5 on every conv "
                 "kernel. conv_block = "
                 "Conv2D(no bias, same) -> BatchNormalization -> Activation('relu')."),
        "architecture": architecture,
        "inputs": {"images": tensor(images), "labels": labels.tolist()},
        "weights": {k: tensor(v) for k, v in weights.items()},
        "inference": {
            "probabilities": tensor(inference),
            "cross_entropy": inference_ce,
            "l2_penalty": l2_inference,
            "loss": scalar(np.float32(inference_ce) + np.float32(l2_inference)),
        },
        "training": {
            "probabilities": tensor(probs.numpy()),
            "cross_entropy": scalar(ce.numpy()),
            "l2_penalty": scalar(penalty.numpy()),
            "loss": scalar(total.numpy()),
            "gradients": {v.path: grad(g) for v, g in zip(trainable, grads)},
            "updated_moving_statistics": moving,
        },
        "rmsprop_step": {
            "config": {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7,
                       "centered": False},
            "updated_weights": updated,
        },
    })


# MARK: - Optimizers and schedules

def optimizer_fixture():
    values = Values(909)
    specs = [
        ("rmsprop", keras.optimizers.RMSprop, {}),
        ("rmsprop_momentum", keras.optimizers.RMSprop, {"momentum": 0.9}),
        ("rmsprop_centered", keras.optimizers.RMSprop, {"centered": True}),
        ("rmsprop_centered_momentum", keras.optimizers.RMSprop,
         {"centered": True, "momentum": 0.5, "learning_rate": 0.01}),
        ("sgd", keras.optimizers.SGD, {}),
        ("sgd_momentum", keras.optimizers.SGD, {"momentum": 0.9}),
        ("sgd_nesterov", keras.optimizers.SGD, {"momentum": 0.9, "nesterov": True}),
        ("adam", keras.optimizers.Adam, {}),
        ("adam_amsgrad", keras.optimizers.Adam, {"amsgrad": True, "learning_rate": 0.01}),
    ]
    slot_names = {"velocity", "momentum", "average_gradient", "velocity_hat"}
    cases = []
    for name, cls, kwargs in specs:
        weight = values.grid((2,), -1, 1, 1 / 8)
        gradients = [values.grid((2,), -1, 1, 1 / 8, nonzero=True) for _ in range(3)]
        # A gradient that changes sign and size exercises amsgrad's maximum and the momenta.
        variable = keras.Variable(weight, name="w")
        optimizer = cls(**kwargs)
        after = []
        for g in gradients:
            optimizer.apply([tf.constant(g)], [variable])
            after.append(tensor(variable.numpy(), digits=9))
        slots = {}
        for v in optimizer.variables:
            leaf = v.name
            for slot in slot_names:
                if leaf.endswith("_" + slot) and not leaf.endswith("_" + slot + "_hat"):
                    slots[slot] = tensor(v.numpy(), digits=9)
        config = {k: scalar(v) if isinstance(v, float) else v
                  for k, v in optimizer.get_config().items()
                  if k in ("learning_rate", "rho", "momentum", "epsilon", "centered",
                           "nesterov", "beta_1", "beta_2", "amsgrad")}
        cases.append({
            "name": name,
            "optimizer": cls.__name__,
            "config": config,
            "weight": tensor(weight),
            "gradients": [tensor(g) for g in gradients],
            "weights_after_step": after,
            "iterations": int(optimizer.iterations.numpy()),
            "slots": slots,
        })
    write("optimizers.json", {
        **header("Optimizers", TOLERANCE_OPTIMIZERS,
                 "Three optimizer.apply steps on one [2] weight with the given gradients; "
                 "weights after each step and the optimizer slots after the last step. Config "
                 "holds every hyperparameter (Keras 3 defaults unless the case name says "
                 "otherwise)."),
        "cases": cases,
    })


def schedule_fixture():
    steps = [0, 1, 5, 10, 11, 25, 100, 101, 110, 111, 1000]
    S = keras.optimizers.schedules
    specs = [
        ("exponential_decay", S.ExponentialDecay,
         {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5,
          "staircase": False}),
        ("exponential_decay_staircase", S.ExponentialDecay,
         {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5,
          "staircase": True}),
        ("piecewise_constant", S.PiecewiseConstantDecay,
         {"boundaries": [10, 100], "values": [0.1, 0.01, 0.001]}),
        ("cosine_decay", S.CosineDecay,
         {"initial_learning_rate": 0.1, "decay_steps": 100, "alpha": 0.1}),
        ("cosine_decay_warmup", S.CosineDecay,
         {"initial_learning_rate": 0.0, "decay_steps": 100, "alpha": 0.0,
          "warmup_target": 0.1, "warmup_steps": 10}),
    ]
    cases = []
    for name, cls, kwargs in specs:
        schedule = cls(**kwargs)
        rates = [scalar((schedule(tf.constant(s, dtype=tf.int64)))) for s in steps]
        cases.append({"name": name, "schedule": cls.__name__, "config": kwargs,
                      "steps": steps, "learning_rates": rates})
    write("schedules.json", {
        **header("LearningRateSchedules", TOLERANCE_SCHEDULES,
                 "keras.optimizers.schedules evaluated at the given global steps (the "
                 "optimizer's iterations before the update); learning rates are float32."),
        "cases": cases,
    })


# MARK: - Independent checks

def same_padding(size, kernel, stride, padding):
    """TensorFlow's padding before and after, and the output size."""
    if padding == "valid":
        return 0, 0, (size - kernel) // stride + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2, out


def cross_check():
    """Recomputes Conv2D, MaxPooling2D, BatchNormalization and Flatten+Dense forward passes
    from the written files with NumPy, so the fixtures do not rest on Keras alone."""
    def load(name):
        with open(os.path.join(OUT_DIR, name)) as handle:
            return json.load(handle)

    def array(t):
        return np.array(t["values"], dtype=np.float64).reshape(t["shape"])

    worst = 0.0
    for case in load("conv2d.json")["cases"]:
        x, w = array(case["inputs"]["x"]), array(case["weights"]["kernel"])
        stride, padding = case["config"]["strides"][0], case["config"]["padding"]
        kh, kw = w.shape[:2]
        top, bottom, oh = same_padding(x.shape[1], kh, stride, padding)
        left, right, ow = same_padding(x.shape[2], kw, stride, padding)
        xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
        y = np.zeros((x.shape[0], oh, ow, w.shape[3]))
        for i in range(oh):
            for j in range(ow):
                window = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
                y[:, i, j, :] = np.einsum("nhwc,hwco->no", window, w)
        if "bias" in case["weights"]:
            y += array(case["weights"]["bias"])
        worst = max(worst, np.abs(y - array(case["output"])).max())
    for case in load("max_pooling2d.json")["cases"]:
        x = array(case["inputs"]["x"])
        k, stride = case["config"]["pool_size"][0], case["config"]["strides"][0]
        top, bottom, oh = same_padding(x.shape[1], k, stride, case["config"]["padding"])
        left, right, ow = same_padding(x.shape[2], k, stride, case["config"]["padding"])
        xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=-np.inf)
        y = np.zeros((x.shape[0], oh, ow, x.shape[3]))
        for i in range(oh):
            for j in range(ow):
                window = xp[:, i * stride:i * stride + k, j * stride:j * stride + k, :]
                y[:, i, j, :] = window.max(axis=(1, 2))
        worst = max(worst, np.abs(y - array(case["output"])).max())
    for case in load("batch_normalization.json")["cases"]:
        x, weights = array(case["inputs"]["x"]), case["weights"]
        flat = x.reshape(-1, x.shape[-1])
        if case["config"]["training"]:
            mean, variance = flat.mean(axis=0), flat.var(axis=0)
        else:
            mean, variance = array(weights["moving_mean"]), array(weights["moving_variance"])
        y = (x - mean) / np.sqrt(variance + 1e-3) * array(weights["gamma"]) + array(weights["beta"])
        worst = max(worst, np.abs(y - array(case["output"])).max())
    case = load("dense.json")["cases"][0]
    x = array(case["inputs"]["x"]).reshape(2, -1)
    y = x @ array(case["weights"]["kernel"]) + array(case["weights"]["bias"])
    worst = max(worst, np.abs(y - array(case["output"])).max())
    if worst > 1e-5:
        sys.exit(f"NumPy cross-check differs from Keras by {worst}")
    print(f"NumPy cross-check: largest difference {worst:.2e}")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    keras.utils.set_random_seed(2017)
    conv2d_fixture()
    batch_norm_fixture()
    relu_fixture()
    max_pool_fixture()
    dense_fixture()
    concatenate_fixture()
    softmax_fixture()
    model_fixture()
    optimizer_fixture()
    schedule_fixture()
    cross_check()


if __name__ == "__main__":
    main()
