#!/usr/bin/env bash
# notmnist against Keras on the reference model, side by side on this machine.
#
# Alternates rounds of four fresh processes: Keras fp32, `notmnist bench --precision fp32` (with
# its default Winograd training convolutions), the same with `--convolution direct`, and
# `notmnist bench --precision bf16` (and Keras with the mixed_bfloat16 policy with --keras-bf16).
# Each measures, on seeded synthetic images after warm-up: training images/s at batch 512 (full
# step with RMSprop), inference images/s at 512, single-image latency and peak RSS while
# training. Prints the medians over the rounds with the ratios ours/Keras, the machine and the
# versions, and writes every round as JSON.
#
# Usage: bash scripts/bench/side_by_side.sh [--rounds N] [--steps N] [--threads N] [--out FILE]
#            [--keras-bf16] [--omp-passive]
#   --rounds N     rounds (default 3)
#   --steps N      timed training steps and inference batches per process (default 20)
#   --threads N    threads for both sides (ours: OpenMP; Keras: TensorFlow intra-op, one
#                  inter-op thread); default each side's own (the core count)
#   --out FILE     the JSON of all rounds (default logs/bench-side-by-side.json)
#   --keras-bf16   also run Keras with the mixed_bfloat16 policy each round
#   --omp-passive  run ours with OMP_WAIT_POLICY=passive: steadier when other jobs share the
#                  cores, but each OpenMP wake-up then costs tens of microseconds, which
#                  dominates the single-image latency; default OpenMP's own policy
# The Keras environment is .venv-keras, created from scripts/keras_reference/requirements.txt
# when missing (as scripts/keras_interop_check.sh does). Takes a few minutes on 2 cores.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
rounds=3
steps=20
out="logs/bench-side-by-side.json"
keras_bf16=0
omp_passive=0
threads=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --threads) threads=(--threads "$2"); shift 2 ;;
    --keras-bf16) keras_bf16=1; shift ;;
    --omp-passive) omp_passive=1; shift ;;
    *) echo "side_by_side: unknown argument '$1'" >&2; exit 64 ;;
  esac
done

venv="$root/.venv-keras"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import keras, tensorflow" 2>/dev/null; then
  echo "side_by_side: installing TensorFlow CPU and Keras into $venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/keras_reference/requirements.txt
fi

swift build -c release >&2
notmnist="$(swift build -c release --show-bin-path)/notmnist"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# GNU OpenMP's spinning threads stall when the cores are shared; TensorFlow does not use OpenMP.
if [ "$omp_passive" = 1 ]; then export OMP_WAIT_POLICY=passive; fi
export TF_CPP_MIN_LOG_LEVEL=2

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
changes="$(git diff --quiet HEAD -- Sources Package.swift || echo ' (with uncommitted changes)')"
echo "commit: $(git rev-parse --short HEAD)$changes"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OMP_WAIT_POLICY: ${OMP_WAIT_POLICY:-unset, the OpenMP default}"
# TensorFlow's start-up chatter goes to a log that is shown only when Keras fails.
keras() {
  if ! "$venv/bin/python" scripts/bench/side_by_side.py keras --steps "$steps" \
    "${threads[@]}" "$@" 2> "$work/keras.log"; then
    cat "$work/keras.log" >&2
    exit 1
  fi
}
ours() {
  if ! "$notmnist" bench --json --steps "$steps" "${threads[@]}" "$@" 2> "$work/ours.log"; then
    cat "$work/ours.log" >&2
    exit 1
  fi
}
for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds: keras fp32" >&2
  keras --policy float32 > "$work/round-$round-keras-fp32.json"
  echo "round $round/$rounds: ours fp32" >&2
  ours --precision fp32 > "$work/round-$round-ours-fp32.json"
  echo "round $round/$rounds: ours fp32, direct convolutions" >&2
  ours --precision fp32 --convolution direct > "$work/round-$round-ours-fp32-direct.json"
  echo "round $round/$rounds: ours bf16" >&2
  ours --precision bf16 > "$work/round-$round-ours-bf16.json"
  if [ "$keras_bf16" = 1 ]; then
    echo "round $round/$rounds: keras mixed_bfloat16" >&2
    keras --policy mixed_bfloat16 > "$work/round-$round-keras-bf16.json"
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$(dirname "$out")"
"$venv/bin/python" scripts/bench/side_by_side.py summarize "$work" "$out"
