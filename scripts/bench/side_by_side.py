"""The Keras half of `scripts/bench/side_by_side.sh`, and the summary of its rounds.

Subcommands (run with the Keras virtual environment, from the repository root):

    keras [--policy float32|mixed_bfloat16] [--batch-size N] [--steps N] [--warmup N]
          [--latency-calls N] [--seed S] [--threads N]
                      Builds the reference model (scripts/keras_reference/keras_interop.py) with
                      RMSprop and categorical cross-entropy, then on seeded synthetic images
                      measures, after warm-up: training images/s (median time of
                      `train_on_batch`), inference images/s (median time of `predict_on_batch`,
                      the compiled predict step), single-image latency (the faster of
                      `model(x, training=False)` inside a `tf.function` and `predict_on_batch`;
                      both are reported) and the process's peak RSS (`ru_maxrss`), right after
                      training and at the end. Prints one JSON object.
    summarize DIR OUT.json
                      Reads DIR/round-<n>-<side>.json (written by side_by_side.sh), prints a
                      table of medians over the rounds with the ratios ours/Keras, and writes
                      every round and the medians to OUT.json.

Every value comes from fixed seeds; only the timings vary.
"""

import argparse
import glob
import json
import math
import os
import re
import resource
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# MARK: - Keras measurements

def median_seconds(function, warmup, count):
    for _ in range(warmup):
        function()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def timing(times):
    """Median and 90th percentile in milliseconds, as `notmnist bench --json` reports them."""
    ordered = sorted(times)
    rank = max(0, math.ceil(0.9 * len(ordered)) - 1)
    return {"medianMs": statistics.median(ordered) * 1000, "p90Ms": ordered[rank] * 1000,
            "count": len(ordered)}


def peak_rss_bytes():
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def keras_bench(arguments):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["KERAS_BACKEND"] = "tensorflow"
    sys.path.insert(0, os.path.join(ROOT, "scripts", "keras_reference"))
    import numpy as np
    import tensorflow as tf
    import keras
    from keras_interop import reference_model

    if arguments.threads:
        tf.config.threading.set_intra_op_parallelism_threads(arguments.threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(arguments.seed)
    keras.mixed_precision.set_global_policy(arguments.policy)
    model = reference_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
        loss="categorical_crossentropy", metrics=["accuracy"])

    rng = np.random.default_rng(arguments.seed)
    batch = arguments.batch_size
    pixels = rng.integers(0, 256, size=(batch, 28, 28, 1)).astype(np.float32)
    x = (pixels - 127.5) / 255.0
    y = keras.utils.to_categorical(rng.integers(0, 10, size=batch), 10)
    single = x[:1]

    def train():
        model.train_on_batch(x, y)

    train_seconds, train_times = median_seconds(train, arguments.warmup, arguments.steps)
    rss_after_training = peak_rss_bytes()

    def infer():
        model.predict_on_batch(x)

    infer_seconds, _ = median_seconds(infer, arguments.warmup, arguments.steps)

    call = tf.function(lambda images: model(images, training=False))
    single_tensor = tf.constant(single)
    latency = {}
    latency["tf.function model(x, training=False)"], _ = median_seconds(
        lambda: call(single_tensor).numpy(), 10, arguments.latency_calls)
    latency["predict_on_batch"], _ = median_seconds(
        lambda: model.predict_on_batch(single), 10, arguments.latency_calls)
    fastest = min(latency, key=latency.get)

    return {
        "side": "keras",
        "policy": arguments.policy,
        "trainImagesPerSecond": batch / train_seconds,
        "inferImagesPerSecond": batch / infer_seconds,
        "latencyMs": latency[fastest] * 1000,
        "latencyMethod": fastest,
        "latencyMsByMethod": {name: seconds * 1000 for name, seconds in latency.items()},
        "peakResidentBytes": rss_after_training,
        "finalPeakResidentBytes": peak_rss_bytes(),
        "trainStep": timing(train_times),
        "batchSize": batch,
        "tensorflowVersion": tf.__version__,
        "kerasVersion": keras.__version__,
        "jitCompile": bool(model.jit_compile),
        "oneDNNEnabled": one_dnn_enabled(),
        "intraOpThreads": tf.config.threading.get_intra_op_parallelism_threads(),
    }


def one_dnn_enabled():
    try:
        from tensorflow.python.util import _pywrap_util_port
        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return None


# MARK: - Summary

FIGURES = [
    ("trainImagesPerSecond", "training img/s (batch 512)", "{:,.0f}", "higher"),
    ("inferImagesPerSecond", "inference img/s (batch 512)", "{:,.0f}", "higher"),
    ("latencyMs", "single-image latency ms", "{:.3f}", "lower"),
    ("peakResidentBytes", "peak RSS while training MiB", "{:,.0f}", "lower"),
]
STEP = ("trainStep", "training step median ms (batch 512)")


def figure(run, key):
    value = run.get(key)
    if value is None:
        return None
    return value / 1048576 if key == "peakResidentBytes" else value


def summarize(directory, out_path):
    runs = {}
    for path in sorted(glob.glob(os.path.join(directory, "round-*-*.json"))):
        match = re.match(r"round-(\d+)-(.+)\.json$", os.path.basename(path))
        with open(path) as handle:
            runs.setdefault(match.group(2), []).append(
                dict(json.load(handle), round=int(match.group(1))))
    order = ["keras-fp32", "ours-fp32", "ours-fp32-direct", "ours-bf16", "keras-bf16"]
    sides = [s for s in order if s in runs]
    if "keras-fp32" not in runs:
        sys.exit("summarize: no keras-fp32 rounds in " + directory)

    medians = {side: {key: statistics.median(v for v in (figure(r, key) for r in runs[side])
                                              if v is not None)
                      for key, *_ in FIGURES
                      if any(figure(r, key) is not None for r in runs[side])}
               for side in sides}
    header = ["figure (median of rounds)"] + sides + [
        f"{s} / keras-fp32" for s in sides if s != "keras-fp32"]
    rows = []
    for key, label, fmt, better in FIGURES:
        row = [label]
        for side in sides:
            value = medians[side].get(key)
            row.append(fmt.format(value) if value is not None else "-")
        base = medians["keras-fp32"].get(key)
        for side in sides:
            if side == "keras-fp32":
                continue
            value = medians[side].get(key)
            row.append(f"{value / base:.2f}x" if value is not None and base else "-")
        rows.append(row)
    step_row = [STEP[1]]
    for side in sides:
        values = [r[STEP[0]]["medianMs"] for r in runs[side] if STEP[0] in r]
        step_row.append(f"{statistics.median(values):,.1f}" if values else "-")
    rows.insert(1, step_row + [""] * (len(header) - len(step_row)))
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths))) for r in [header] + rows]
    print("\n".join(lines))
    print("(ratios: ours / Keras fp32; above 1 is faster for img/s, below 1 is better for "
          "latency and memory)")

    keras_run = runs["keras-fp32"][0]
    ours = runs.get("ours-fp32", [{}])[0]
    machine = ours.get("machine", {})
    methods = sorted({r["latencyMethod"] for r in runs["keras-fp32"]})
    print("latency method (Keras, the faster of the two in each round): " + ", ".join(methods))
    print(f"Keras: TensorFlow {keras_run['tensorflowVersion']}, Keras {keras_run['kerasVersion']},"
          f" jit_compile {keras_run['jitCompile']}, oneDNN enabled {keras_run['oneDNNEnabled']},"
          f" intra-op threads {keras_run['intraOpThreads'] or 'default'}")
    if machine:
        print(f"ours: oneDNN {machine.get('oneDNNVersion')} ({machine.get('oneDNNISA')}),"
              f" {machine.get('threads')} OpenMP threads")
    for side in sides:
        if side.startswith("ours"):
            loops = [r["loopOverhead"]["percent"] for r in runs[side]]
            print(f"{side}: training loop over bare steps {statistics.median(loops):+.1f}%"
                  f" (median of rounds; {runs[side][0]['loopOverhead']['includes']})")
    with open(out_path, "w") as handle:
        json.dump({"rounds": runs, "medians": medians}, handle, indent=1, sort_keys=True)
    print(f"all rounds written to {out_path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    keras_parser = commands.add_parser("keras")
    keras_parser.add_argument("--policy", default="float32",
                              choices=["float32", "mixed_bfloat16"])
    keras_parser.add_argument("--batch-size", type=int, default=512)
    keras_parser.add_argument("--steps", type=int, default=20)
    keras_parser.add_argument("--warmup", type=int, default=3)
    keras_parser.add_argument("--latency-calls", type=int, default=200)
    keras_parser.add_argument("--seed", type=int, default=0)
    keras_parser.add_argument("--threads", type=int, default=0)
    summary_parser = commands.add_parser("summarize")
    summary_parser.add_argument("directory")
    summary_parser.add_argument("out")
    arguments = parser.parse_args()
    if arguments.command == "keras":
        print(json.dumps(keras_bench(arguments), sort_keys=True))
    else:
        summarize(arguments.directory, arguments.out)


if __name__ == "__main__":
    main()
