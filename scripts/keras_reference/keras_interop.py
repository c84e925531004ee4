"""Keras 3 interoperability checks for `notmnist`'s .keras reader and writer.

Subcommands (run from the repository root with the Keras virtual environment; see README.md):

    reference OUT     Builds the reference notMNIST model with a fixed seed, trains it briefly on
                      generated letters, saves OUT/keras_reference.keras (and its weights alone
                      as OUT/keras_reference.weights.h5), a fixed batch of 32 PNGs under
                      OUT/batch/ and a training set under OUT/train/<letter>/.
    compare PRED.json MODEL.keras
                      Loads MODEL.keras with keras.saving.load_model, predicts the PNGs named in
                      PRED.json (the output of `notmnist predict --top 10 --json`) with pixels
                      scaled as (x - 127.5) / 255, and fails unless every probability agrees
                      within 1e-5 and every predicted class is the same.
    step OUT          From OUT/keras_reference.keras with Dropout off, runs one training step
                      (batch statistics, cross-entropy + L2, RMSprop defaults) on a fixed batch
                      of 64 generated letters; writes the batch to OUT/step_batch.json and the
                      loss and every updated variable to OUT/keras_step.npz.
    step-compare OUT OURS.keras LOSS.json
                      Loads OURS.keras (the same step taken by KerasTrainStep) with Keras and
                      fails unless the loss agrees within 1e-5 and every variable within
                      STEP_TOLERANCE of Keras's.
    fixtures          Writes the unit-test fixtures under Tests/KerasInteropTests/Fixtures/: a
                      tiny Keras-saved model and the result of one training step from it.

Every value comes from fixed seeds.
"""

import io
import json
import os
import struct
import sys
import zipfile
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "KerasInteropTests", "Fixtures")
LETTERS = "ABCDEFGHIJ"
TOLERANCE = 1e-5
# One RMSprop step moves a weight by at most about learning_rate * sqrt(1 / (1 - rho)) = 3.2e-3;
# float32 gradients that differ in their last digits (another summation order in oneDNN) change
# it by far less. Measured on the reference model: 5.1e-7 (loss: 2.6e-7).
STEP_TOLERANCE = 2e-6


# MARK: - Data

def write_png(path, pixels):
    """Writes a 2-D uint8 array as an 8-bit grayscale PNG."""
    height, width = pixels.shape
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def read_png(path):
    """Reads an 8-bit grayscale, unfiltered PNG as written by write_png or notmnist."""
    data = open(path, "rb").read()
    position, width, height, idat = 8, 0, 0, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    rows = [np.frombuffer(raw[r * (width + 1) + 1:(r + 1) * (width + 1)], dtype=np.uint8)
            for r in range(height)]
    return np.stack(rows)


def letters(count, seed):
    """Generated 28x28 glyph-like images: each class a different set of strokes, with noise."""
    rng = np.random.RandomState(seed)
    labels = np.arange(count) % 10
    images = np.zeros((count, 28, 28), dtype=np.float32)
    for i, label in enumerate(labels):
        dx, dy = rng.randint(-2, 3, size=2)
        top, left = 6 + dy, 6 + dx
        images[i, top:top + 16, left + label // 2:left + label // 2 + 3] = 255
        row = top + (label * 3) % 14
        images[i, row:row + 3, left:left + 4 + label] = 255
        if label % 2:
            images[i, top + 13:top + 16, left:left + 16] = 255
    images += rng.normal(0, 30, size=images.shape)
    return np.clip(images, 0, 255).astype(np.uint8), labels


def scaled(pixels):
    return ((pixels.astype(np.float32) - 127.5) / 255.0)[..., None]


# MARK: - Models

def conv_block(x, filters, kernel, strides=1):
    x = keras.layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False,
                            kernel_regularizer=keras.regularizers.l2(4e-5))(x)
    x = keras.layers.BatchNormalization()(x)
    return keras.layers.Activation("relu")(x)


def reference_model():
    """The reference network, layer for layer as `ModelBuilder.reference()` builds it."""
    inputs = keras.Input((28, 28, 1))
    x = conv_block(inputs, 32, 3)
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same")(x)
    x = conv_block(x, 32, 3)
    x = keras.layers.Dropout(0.2)(x)
    x = conv_block(x, 64, 3)
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same")(x)
    branch1 = conv_block(x, 64, 1)
    branch3 = conv_block(conv_block(x, 64, 1), 96, 3)
    stack = conv_block(conv_block(conv_block(x, 64, 1), 96, 3), 96, 3)
    pooled = keras.layers.MaxPooling2D(3, strides=1, padding="same")(x)
    branch_pool = conv_block(pooled, 96, 1)
    x = keras.layers.Concatenate()([branch1, branch3, stack, branch_pool])
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.2)(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="reference")


def tiny_model():
    """A few-kilobyte model with every layer type, two branches and no dropout."""
    inputs = keras.Input((8, 8, 1))
    x = conv_block(inputs, 3, 3)
    x = keras.layers.MaxPooling2D(2)(x)
    branch = conv_block(x, 2, 1)
    pooled = keras.layers.MaxPooling2D(3, strides=1, padding="same")(x)
    x = keras.layers.Concatenate()([branch, pooled])
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(6, activation="relu", kernel_regularizer=keras.regularizers.l2(1e-3))(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="tiny_keras")


# MARK: - Subcommands

def reference(out):
    keras.utils.set_random_seed(20170)
    os.makedirs(os.path.join(out, "batch"), exist_ok=True)
    pixels, labels = letters(1000, seed=1)
    model = reference_model()
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(scaled(pixels), np.eye(10, dtype=np.float32)[labels], batch_size=100,
                        epochs=2, verbose=0)
    print(f"keras: trained 2 epochs, accuracy {history.history['accuracy'][-1]:.3f}")
    model.save(os.path.join(out, "keras_reference.keras"))
    model.save_weights(os.path.join(out, "keras_reference.weights.h5"))

    batch, _ = letters(32, seed=2)
    for i, image in enumerate(batch):
        write_png(os.path.join(out, "batch", f"{i:02d}.png"), image)
    train, train_labels = letters(600, seed=3)
    for letter in LETTERS:
        os.makedirs(os.path.join(out, "train", letter), exist_ok=True)
    for i, (image, label) in enumerate(zip(train, train_labels)):
        write_png(os.path.join(out, "train", LETTERS[label], f"{i:04d}.png"), image)
    print(f"keras: wrote {out}/keras_reference.keras, 32 batch images, 600 training images")


def compare(predictions_path, model_path):
    predictions = json.load(open(predictions_path))["predictions"]
    if not predictions or json.load(open(predictions_path))["failures"]:
        sys.exit(f"{predictions_path}: no predictions, or some failed")
    ours = np.zeros((len(predictions), 10), dtype=np.float64)
    for row, prediction in enumerate(predictions):
        if len(prediction["top"]) != 10:
            sys.exit(f"{predictions_path}: run predict with --top 10")
        for entry in prediction["top"]:
            ours[row, LETTERS.index(entry["letter"])] = entry["probability"]
    pixels = np.stack([read_png(p["path"]) for p in predictions])
    model = keras.saving.load_model(model_path)
    theirs = model.predict(scaled(pixels), verbose=0).astype(np.float64)
    difference = np.abs(ours - theirs).max()
    same = int((ours.argmax(1) == theirs.argmax(1)).sum())
    print(f"{model_path}: {len(predictions)} images, max |p_swift - p_keras| = {difference:.2e},"
          f" same class for {same}/{len(predictions)}")
    if difference > TOLERANCE or same != len(predictions):
        sys.exit(f"FAIL: parity with Keras needs |difference| <= {TOLERANCE} and equal classes")


def step(out):
    model = keras.saving.load_model(os.path.join(out, "keras_reference.keras"))
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0
    pixels, labels = letters(64, seed=5)
    images = scaled(pixels)
    with open(os.path.join(out, "step_batch.json"), "w") as handle:
        json.dump({"images": {"shape": list(images.shape), "values": values(images)},
                   "labels": labels.tolist()}, handle, separators=(",", ":"))

    onehot = np.eye(10, dtype=np.float32)[labels]
    loss_fn = keras.losses.CategoricalCrossentropy()
    trainable = model.trainable_weights
    with tf.GradientTape() as tape:
        probabilities = model(images, training=True)
        total = loss_fn(onehot, probabilities) + tf.add_n(model.losses)
    gradients = tape.gradient(total, [v.value for v in trainable])
    keras.optimizers.RMSprop().apply(gradients, trainable)
    arrays = {v.path: v.numpy() for v in model.weights}
    np.savez(os.path.join(out, "keras_step.npz"), __loss__=np.float32(total.numpy()), **arrays)
    print(f"keras: one training step, loss {float(total.numpy()):.6f}")


def step_compare(out, ours_path, loss_path):
    expected = np.load(os.path.join(out, "keras_step.npz"))
    ours = keras.saving.load_model(ours_path)
    loss = json.load(open(loss_path))["loss"]
    loss_difference = abs(loss - float(expected["__loss__"]))
    worst, worst_name, compared = 0.0, "", 0
    for variable in ours.weights:
        reference = expected[variable.path]
        difference = float(np.abs(variable.numpy() - reference).max())
        compared += 1
        if difference > worst:
            worst, worst_name = difference, variable.path
    print(f"{ours_path}: loss {loss:.6f}, |loss difference| = {loss_difference:.2e};"
          f" {compared} variables, max |w_swift - w_keras| = {worst:.2e} ({worst_name})")
    if compared != len(expected.files) - 1:
        sys.exit(f"FAIL: {compared} variables, Keras has {len(expected.files) - 1}")
    if loss_difference > TOLERANCE or worst > STEP_TOLERANCE:
        sys.exit(f"FAIL: training-step parity needs |loss difference| <= {TOLERANCE} and"
                 f" |weight difference| <= {STEP_TOLERANCE}")


def rezip_deflated(path):
    """Rewrites a .keras archive with deflated entries (Keras stores them) to keep it small."""
    entries = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            entries[name] = archive.read(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    with open(path, "wb") as handle:
        handle.write(buffer.getvalue())


def values(array):
    """float32 values as the shortest decimals that read back as the same float32."""
    return [float(str(v)) for v in np.asarray(array, dtype=np.float32).reshape(-1)]


def fixtures():
    keras.utils.set_random_seed(5)
    os.makedirs(FIXTURES, exist_ok=True)
    model = tiny_model()
    # Moving statistics away from their initial values, so inference uses real ones.
    for variable in model.non_trainable_weights:
        leaf = variable.path.split("/")[-1]
        shape = tuple(variable.shape)
        if leaf == "moving_mean":
            variable.assign(np.random.RandomState(7).uniform(-0.3, 0.3, shape))
        elif leaf == "moving_variance":
            variable.assign(np.random.RandomState(8).uniform(0.5, 1.5, shape))
    path = os.path.join(FIXTURES, "tiny.keras")
    model.save(path)
    rezip_deflated(path)

    rng = np.random.RandomState(9)
    images = rng.uniform(-0.5, 0.5, size=(6, 8, 8, 1)).astype(np.float32)
    labels = np.array([0, 3, 7, 9, 1, 3])
    onehot = np.eye(10, dtype=np.float32)[labels]
    inference = model(images, training=False).numpy()

    loss_fn = keras.losses.CategoricalCrossentropy()
    trainable = model.trainable_weights
    with tf.GradientTape() as tape:
        probabilities = model(images, training=True)
        total = loss_fn(onehot, probabilities) + tf.add_n(model.losses)
    gradients = tape.gradient(total, [v.value for v in trainable])
    keras.optimizers.RMSprop().apply(gradients, trainable)
    updated = {v.path: values(v.numpy()) for v in model.weights}

    step = {
        "description": "tiny.keras: inference probabilities, then one training step (batch"
                       " statistics, no dropout) with categorical cross-entropy + L2 and"
                       " RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7); weights by Keras"
                       " path (layer/variable) after the step, moving statistics included.",
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "images": {"shape": list(images.shape), "values": values(images)},
        "labels": labels.tolist(),
        "inference_probabilities": values(inference),
        "training_loss": values(total.numpy())[0],
        "updated_weights": updated,
    }
    with open(os.path.join(FIXTURES, "tiny_step.json"), "w") as handle:
        json.dump(step, handle, separators=(",", ":"))
        handle.write("\n")
    for name in ("tiny.keras", "tiny_step.json"):
        print(f"{name}: {os.path.getsize(os.path.join(FIXTURES, name))} bytes")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "reference":
        reference(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "step":
        step(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "step-compare":
        step_compare(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 2 and sys.argv[1] == "fixtures":
        fixtures()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
