#!/usr/bin/env bash
# Installs what swift-notmnist needs on a Debian machine: the C libraries it
# links against, and a Python virtual environment (.venv) holding the
# ecosystem's own readers (tensorboard, safetensors) that the tests use to
# check the files the tool writes. Safe to run again: it only adds what is
# missing. Run it as root (or with sudo available).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages=(
  libdnnl-dev libpng-dev zlib1g-dev libarchive-dev libfreetype-dev pkg-config fonts-dejavu-core
  python3 python3-venv python3-pip
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: swift is not on PATH; install Swift 6.3 from swift.org first" >&2
  exit 1
fi

# Python readers used only by tests, never by the tool itself.
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import tensorboard, safetensors, numpy" 2>/dev/null; then
  echo "setup: installing Python test readers into .venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/scripts/requirements-test.txt"
fi
echo "setup: ok"
