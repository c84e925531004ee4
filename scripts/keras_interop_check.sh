#!/usr/bin/env bash
# Keras 3 parity in both directions, with the real Keras (TensorFlow CPU) from PyPI:
#   1. Keras builds the reference model with a fixed seed, trains it briefly on generated
#      letters and saves it; `notmnist predict` on the .keras file must give the probabilities
#      Keras gives on a fixed batch of 32 images within 1e-5, with the same classes.
#   2. `notmnist train` trains the reference model on generated letters, `notmnist convert`
#      writes it as .keras, and keras.saving.load_model's predictions must agree with ours the
#      same way.
#   3. Training mode: one step (batch statistics, Dropout off, cross-entropy + L2, RMSprop) from
#      the Keras-trained weights on a fixed batch of 64, by Keras and by KerasTrainStep; the
#      losses must agree within 1e-5 and every updated variable within 2e-6.
# Usage: bash scripts/keras_interop_check.sh [VENV]   (default VENV: .venv-keras, created from
# scripts/keras_reference/requirements.txt when missing). Takes about 5 minutes on 2 cores.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="${1:-$root/.venv-keras}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import keras, tensorflow" 2>/dev/null; then
  echo "keras-check: installing TensorFlow CPU and Keras into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/keras_reference/requirements.txt
fi

swift build
bin="$(swift build --show-bin-path)"
notmnist="$bin/notmnist"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
interop() { "$venv/bin/python" scripts/keras_reference/keras_interop.py "$@"; }

echo "keras-check: 1. a model trained by Keras, predicted by notmnist"
interop reference "$work"
"$notmnist" predict --model "$work/keras_reference.keras" "$work"/batch/*.png --top 10 --json \
  > "$work/ours_on_keras_model.json"
interop compare "$work/ours_on_keras_model.json" "$work/keras_reference.keras"
"$notmnist" evaluate --model "$work/keras_reference.keras" --data "$work/train" > /dev/null
# The bare weights file Keras's save_weights wrote, into the built-in reference architecture.
"$notmnist" convert "$work/keras_reference.weights.h5" "$work/from_weights.safetensors" \
  --model reference
"$notmnist" predict --model "$work/from_weights.safetensors" "$work"/batch/*.png --top 10 --json \
  > "$work/ours_from_weights.json"
interop compare "$work/ours_from_weights.json" "$work/keras_reference.keras"

echo "keras-check: 2. a model trained by notmnist, predicted by Keras"
"$notmnist" train --train "$work/train" --epochs 1 --batch-size 100 --seed 3 \
  --log-dir "$work/logs" --out "$work/ours.safetensors" > /dev/null
"$notmnist" convert "$work/ours.safetensors" "$work/ours.keras"
"$notmnist" predict --model "$work/ours.safetensors" "$work"/batch/*.png --top 10 --json \
  > "$work/ours.json"
interop compare "$work/ours.json" "$work/ours.keras"

echo "keras-check: 3. one training step from the same weights"
interop step "$work"
"$bin/KerasTrainStep" "$work/keras_reference.keras" "$work/step_batch.json" "$work/step.keras" \
  > "$work/step_loss.json"
interop step-compare "$work" "$work/step.keras" "$work/step_loss.json"
echo "keras-check: ok"
