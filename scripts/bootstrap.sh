#!/usr/bin/env bash
# Set up nianbao on a fresh Debian/Ubuntu machine (or an existing one): the system
# packages the tests and the crawler need, uv, and the project's virtualenv.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Chromium for pages that need JavaScript (Playwright drives it;
# it cannot download its own browser here), a CJK font for its screenshots, and wv
# (wvWare) to read legacy Word .doc/.wps reports (processors/legacy.py), and
# redis-server for distributed crawls (`nianbao crawl --redis`; its tests start one),
# and Tesseract's Simplified Chinese model to read scanned reports (processors/ocr.py),
# and a C compiler for the parse's char loop (processors/native.py; without it the
# parse is a fifth slower, never different).
PACKAGES=(chromium fonts-wqy-microhei wv redis-server tesseract-ocr tesseract-ocr-chi-sim gcc libc6-dev)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "bootstrap: please install these Debian packages first: ${missing[*]}" >&2
    exit 1
  fi
fi

# uv (from PyPI, so it works where only package registries are reachable).
python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv
# --compile-bytecode: some machines set PYTHONDONTWRITEBYTECODE, and every crawl would
# otherwise recompile Scrapy & co. from source (over a second per run).
python3 -m uv sync --quiet --compile-bytecode
# The parse's C loop, built once now rather than by the first parse (it says where).
python3 -m uv run python -m processors.native || echo "bootstrap: the parse will use its Python loop"
echo "bootstrap: ready ($(python3 -m uv run python --version), $(/usr/bin/chromium --version 2>/dev/null | head -1))"
