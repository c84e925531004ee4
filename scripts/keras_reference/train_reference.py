"""Trains the 2017 Keras reference model on the notMNIST training files and measures it on t10k.

This is the baseline the Swift trainer has to beat: the same inception-style model, optimizer,
batch size and data preparation, trained with Keras 3 on the TensorFlow CPU backend for a fixed
wall-clock budget.

Data (read straight from the shared folder, no derived files):
- training: every readable PNG of notMNIST_large_sample.tar.gz and notMNIST_small_extra.tar.gz
  (label from the letter folder, A = 0 ... J = 9); zero-byte or undecodable members are skipped
  and counted;
- test: t10k-images-idx3-ubyte.gz / t10k-labels-idx1-ubyte.gz;
- leak removal: a training image whose 784 pixels occur exactly in t10k is dropped;
- pixels become (x - 127.5) / 255, the rows are shuffled with the seed, and a stratified 10%
  of every class is held out for validation; labels are one-hot.

Model: Input 28x28x1 -> conv_block(32, 3x3) -> MaxPooling2D(3, 2, same) -> conv_block(32, 3x3)
-> Dropout(0.2) -> conv_block(64, 3x3) -> MaxPooling2D(3, 2, same) -> inceptionv2_block(64, 96)
-> Flatten -> Dropout(0.2) -> Dense(64, relu) -> Dense(10, softmax), where conv_block is
Conv2D(no bias, same, L2 4e-5 on the kernel) -> BatchNormalization -> ReLU. 1,347,306 parameters,
1,408 of them non-trainable (the BatchNormalization moving statistics). RMSprop with the Keras
defaults, categorical cross-entropy, batch 512.

Budget: training stops after the epoch during which the training time crosses `--minutes`, or
after `--max-epochs`. The training time counts fit() itself (training steps and the validation
pass) but not the t10k evaluation done after each epoch for the log, so that watching t10k does
not cost the model epochs.

Output: one CSV row per epoch (`--out-csv`), then the final t10k accuracy, the t10k accuracy of
the epoch with the best validation accuracy, and, as a diagnosis of the BatchNormalization
moving-statistics lag (momentum 0.99 against only 13 steps per epoch), the validation and t10k
accuracy after the moving statistics are re-estimated from the training images with the final
weights.

Run from the repository root (see scripts/keras_reference/README.md for the environment):

    nice -n 19 .venv-keras/bin/python scripts/keras_reference/train_reference.py \
        --minutes 20 --threads 2 --out-csv scripts/keras_reference/results/reference_run.csv
"""

import argparse
import csv
import gzip
import os
import struct
import sys
import tarfile
import time
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DATA = os.path.join(os.path.dirname(ROOT), "shared", "notmnist")
LETTERS = "ABCDEFGHIJ"
SIDE = 28
PIXELS = SIDE * SIDE
EXPECTED_PARAMS = 1_347_306
EXPECTED_NON_TRAINABLE = 1_408
L2 = 4e-5


# MARK: - Data

class PNGError(Exception):
    """A PNG member that is not an 8-bit grayscale, non-interlaced 28x28 image."""


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_gray_png(data):
    """The 784 pixels of an 8-bit grayscale 28x28 PNG, as uint8 bytes in row order.

    Only what notMNIST uses is supported: color type 0, bit depth 8, no interlacing. Chunk CRCs
    are checked; any other layout raises PNGError.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise PNGError("no PNG signature")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise PNGError(f"truncated {kind!r} chunk")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise PNGError(f"bad CRC in {kind!r} chunk")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise PNGError("no IHDR chunk")
    width, height, depth, color, _, _, interlace = header
    if (width, height, depth, color, interlace) != (SIDE, SIDE, 8, 0, 0):
        raise PNGError(f"unsupported layout {width}x{height} depth {depth} color {color} "
                       f"interlace {interlace}")
    raw = zlib.decompress(b"".join(idat))
    if len(raw) != SIDE * (SIDE + 1):
        raise PNGError(f"expected {SIDE * (SIDE + 1)} bytes of image data, found {len(raw)}")
    out = bytearray(PIXELS)
    prior = [0] * SIDE
    for row in range(SIDE):
        kind = raw[row * (SIDE + 1)]
        line = raw[row * (SIDE + 1) + 1:(row + 1) * (SIDE + 1)]
        cur = [0] * SIDE
        for i in range(SIDE):
            left = cur[i - 1] if i else 0
            up = prior[i]
            upleft = prior[i - 1] if i else 0
            if kind == 0:
                value = line[i]
            elif kind == 1:
                value = line[i] + left
            elif kind == 2:
                value = line[i] + up
            elif kind == 3:
                value = line[i] + ((left + up) >> 1)
            elif kind == 4:
                value = line[i] + paeth(left, up, upleft)
            else:
                raise PNGError(f"unknown filter type {kind} in row {row}")
            cur[i] = value & 0xFF
        out[row * SIDE:(row + 1) * SIDE] = bytes(cur)
        prior = cur
    return bytes(out)


def read_tar(path):
    """(images uint8 [n, 784], labels int64 [n], skipped [(member, reason)]) of a PNG tar."""
    images, labels, skipped = [], [], []
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            if not member.isfile():
                continue
            parts = member.name.split("/")
            if len(parts) < 3 or parts[-2] not in LETTERS or not parts[-1].endswith(".png"):
                skipped.append((member.name, "not <root>/<letter>/<name>.png"))
                continue
            if member.size == 0:
                skipped.append((member.name, "zero bytes"))
                continue
            try:
                pixels = decode_gray_png(archive.extractfile(member).read())
            except (PNGError, zlib.error, struct.error) as error:
                skipped.append((member.name, str(error)))
                continue
            images.append(np.frombuffer(pixels, dtype=np.uint8))
            labels.append(LETTERS.index(parts[-2]))
    return np.stack(images), np.array(labels, dtype=np.int64), skipped


def read_idx(path, magic, dims):
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    size = 4 * (2 + len(dims))
    header = struct.unpack(">" + "I" * (2 + len(dims)), data[:size])
    if header[0] != magic or list(header[2:]) != dims:
        sys.exit(f"{path}: expected magic {magic:#x} and dimensions {dims}, found {header}")
    body = np.frombuffer(data, dtype=np.uint8, offset=size)
    if body.size != header[1] * int(np.prod(dims or [1])):
        sys.exit(f"{path}: expected {header[1]} items, found {body.size} bytes")
    return body.reshape([header[1]] + ([PIXELS] if dims else []))


def normalize(images):
    return ((images.astype(np.float32) - 127.5) / 255.0).reshape(-1, SIDE, SIDE, 1)


def one_hot(labels):
    return np.eye(10, dtype=np.float32)[labels]


def stratified_split(labels, fraction, rng):
    """Shuffled (train, validation) indices, round(fraction * n_c) of each class n_c held out."""
    order = rng.permutation(len(labels))
    validation = []
    for c in range(10):
        members = order[labels[order] == c]
        validation.extend(members[:int(round(fraction * len(members)))])
    held = np.zeros(len(labels), dtype=bool)
    held[validation] = True
    return order[~held[order]], order[held[order]]


def load_data(data_dir, seed, validation_fraction):
    t10k_x = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz"), 0x803, [SIDE, SIDE])
    t10k_y = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz"), 0x801, [])
    t10k_set = {row.tobytes() for row in t10k_x}
    parts_x, parts_y = [], []
    for name in ("notMNIST_large_sample.tar.gz", "notMNIST_small_extra.tar.gz"):
        images, labels, skipped = read_tar(os.path.join(data_dir, name))
        leaked = np.array([row.tobytes() in t10k_set for row in images])
        print(f"{name}: {len(images)} readable images, {len(skipped)} skipped, "
              f"{int(leaked.sum())} dropped because their pixels occur in t10k")
        for member, reason in skipped:
            print(f"  skipped {member}: {reason}")
        parts_x.append(images[~leaked])
        parts_y.append(labels[~leaked])
    images, labels = np.concatenate(parts_x), np.concatenate(parts_y)
    rng = np.random.default_rng(seed)
    train, validation = stratified_split(labels, validation_fraction, rng)
    print(f"training set: {len(images)} images after leak removal -> {len(train)} train, "
          f"{len(validation)} validation; t10k: {len(t10k_x)} images")
    return ((normalize(images[train]), one_hot(labels[train])),
            (normalize(images[validation]), one_hot(labels[validation])),
            (normalize(t10k_x), t10k_y.astype(np.int64)))


# MARK: - Model

def conv_block(x, filters, kernel):
    import keras
    x = keras.layers.Conv2D(filters, kernel, padding="same", use_bias=False,
                            kernel_regularizer=keras.regularizers.l2(L2))(x)
    x = keras.layers.BatchNormalization(axis=-1)(x)
    return keras.layers.Activation("relu")(x)


def inceptionv2_block(x, filters_1x1, filters_3x3):
    import keras
    b1 = conv_block(x, filters_1x1, (1, 1))
    b2 = conv_block(conv_block(x, filters_1x1, (1, 1)), filters_3x3, (3, 3))
    b3 = conv_block(x, filters_1x1, (1, 1))
    b3 = conv_block(conv_block(b3, filters_3x3, (3, 3)), filters_3x3, (3, 3))
    b4 = keras.layers.MaxPooling2D((3, 3), strides=1, padding="same")(x)
    b4 = conv_block(b4, filters_3x3, (1, 1))
    return keras.layers.Concatenate(axis=-1)([b1, b2, b3, b4])


def reference_model():
    import keras
    inputs = keras.Input((SIDE, SIDE, 1))
    x = conv_block(inputs, 32, (3, 3))
    x = keras.layers.MaxPooling2D((3, 3), strides=2, padding="same")(x)
    x = conv_block(x, 32, (3, 3))
    x = keras.layers.Dropout(0.2)(x)
    x = conv_block(x, 64, (3, 3))
    x = keras.layers.MaxPooling2D((3, 3), strides=2, padding="same")(x)
    x = inceptionv2_block(x, 64, 96)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.2)(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="notmnist_reference")
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


# MARK: - Training

def make_monitor(t10k, minutes, out_csv):
    """A callback that logs every epoch (with t10k accuracy) and enforces the time budget."""
    import keras

    class Monitor(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.rows = []
            self.monitor_seconds = 0.0
            self.start = 0.0
            self.epoch_start = 0.0
            self.handle = None
            self.writer = None

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()
            self.handle = open(out_csv, "w", newline="")
            self.writer = csv.writer(self.handle)
            self.writer.writerow(["epoch", "train_seconds", "epoch_seconds", "wall_seconds",
                                  "loss", "accuracy", "val_loss", "val_accuracy",
                                  "t10k_loss", "t10k_accuracy"])

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            train_seconds = now - self.start - self.monitor_seconds
            epoch_seconds = now - self.epoch_start
            x, y = t10k
            probabilities = self.model.predict(x, batch_size=1000, verbose=0)
            t10k_accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y))
            picked = np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0)
            t10k_loss = float(-np.mean(np.log(picked)))
            self.monitor_seconds += time.perf_counter() - now
            row = {"epoch": epoch + 1, "train_seconds": train_seconds,
                   "epoch_seconds": epoch_seconds,
                   "wall_seconds": time.perf_counter() - self.start,
                   "loss": logs["loss"], "accuracy": logs["accuracy"],
                   "val_loss": logs["val_loss"], "val_accuracy": logs["val_accuracy"],
                   "t10k_loss": t10k_loss, "t10k_accuracy": t10k_accuracy}
            self.rows.append(row)
            self.writer.writerow([row["epoch"]] + [f"{row[k]:.4f}" for k in list(row)[1:4]]
                                 + [f"{row[k]:.5f}" for k in list(row)[4:]])
            self.handle.flush()
            print(f"epoch {row['epoch']:3d}  {train_seconds:7.1f}s  loss {row['loss']:.4f} "
                  f"acc {row['accuracy']:.4f}  val_loss {row['val_loss']:.4f} "
                  f"val_acc {row['val_accuracy']:.4f}  t10k_acc {t10k_accuracy:.4f}", flush=True)
            if train_seconds >= minutes * 60:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            self.handle.close()

    return Monitor()


def recalibrate_batch_norm(model, images, batch_size):
    """Replaces every BatchNormalization moving mean and variance by its average over `images`.

    The images pass once in batches with dropout off; each batch's mean and biased variance enter
    with weight batch / total (momentum = seen / (seen + batch)), so after the pass the moving
    statistics describe the final weights instead of lagging behind them.
    """
    import keras
    norms = [layer for layer in model.layers
             if isinstance(layer, keras.layers.BatchNormalization)]
    drops = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    momenta, rates = [layer.momentum for layer in norms], [layer.rate for layer in drops]
    for layer in drops:
        layer.rate = 0.0
    seen = 0
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size]
        for layer in norms:
            layer.momentum = seen / (seen + len(batch))
        model(batch, training=True)
        seen += len(batch)
    for layer, momentum in zip(norms, momenta):
        layer.momentum = momentum
    for layer, rate in zip(drops, rates):
        layer.rate = rate


def accuracy(model, x, labels):
    probabilities = model.predict(x, batch_size=1000, verbose=0)
    return float(np.mean(np.argmax(probabilities, axis=1) == labels))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="the shared notmnist folder")
    parser.add_argument("--minutes", type=float, default=20.0,
                        help="training-time budget; stops after the epoch that crosses it")
    parser.add_argument("--max-epochs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2,
                        help="TensorFlow intra-op and inter-op thread counts")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--out-csv", default="reference_run.csv")
    args = parser.parse_args()

    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras
    keras.utils.set_random_seed(args.seed)
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, numpy {np.__version__}, "
          f"threads {args.threads}, seed {args.seed}")

    begin = time.perf_counter()
    (x_train, y_train), (x_val, y_val), t10k = load_data(args.data, args.seed, 0.1)
    print(f"data ready in {time.perf_counter() - begin:.1f}s")

    model = reference_model()
    model.summary()
    total = model.count_params()
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    if (total, non_trainable) != (EXPECTED_PARAMS, EXPECTED_NON_TRAINABLE):
        sys.exit(f"model has {total} parameters ({non_trainable} non-trainable), expected "
                 f"{EXPECTED_PARAMS} ({EXPECTED_NON_TRAINABLE})")

    out_dir = os.path.dirname(os.path.abspath(args.out_csv))
    os.makedirs(out_dir, exist_ok=True)
    monitor = make_monitor(t10k, args.minutes, args.out_csv)
    steps = -(-len(x_train) // args.batch_size)
    print(f"training: {steps} steps per epoch, budget {args.minutes} min, "
          f"at most {args.max_epochs} epochs")
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.max_epochs,
              validation_data=(x_val, y_val), shuffle=True, callbacks=[monitor], verbose=0)

    rows = monitor.rows
    last = rows[-1]
    best = max(rows, key=lambda r: (r["val_accuracy"], -r["val_loss"]))
    per_epoch = np.median([r["epoch_seconds"] for r in rows])
    print(f"epochs: {len(rows)}, training time {last['train_seconds']:.1f}s, median "
          f"{per_epoch:.1f}s per epoch (training steps and validation)")
    print(f"final t10k accuracy: {last['t10k_accuracy']:.4f} (epoch {last['epoch']})")
    print(f"best validation epoch {best['epoch']} (val_acc {best['val_accuracy']:.4f}): "
          f"t10k accuracy {best['t10k_accuracy']:.4f}")

    recalibrate_batch_norm(model, x_train, args.batch_size)
    x_t10k, y_t10k = t10k
    print(f"after re-estimating the BatchNormalization statistics on the training images: "
          f"val accuracy {accuracy(model, x_val, np.argmax(y_val, axis=1)):.4f}, "
          f"t10k accuracy {accuracy(model, x_t10k, y_t10k):.4f}")


if __name__ == "__main__":
    main()
