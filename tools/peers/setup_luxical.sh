#!/usr/bin/env bash
# Idempotent: creates/updates tools/.venv-luxical, a venv of its own for the Luxical peer (DatologyAI's lexical-dense
# embedder, PyPI luxical==1.1.2), so that luxical's pins (torch>=2.5, numba, s3fs, ...) cannot break tools/.venv.
# Used by tools/make_luxical_fixture.py and tools/bench_lexical.py.
#
# Torch: luxical imports torch (only for training helpers; inference is numpy + numba). A CPU-only torch wheel is
# preferred so that no CUDA wheels (~3 GB) are pulled: first a local wheel in $PIP_FIND_LINKS (e.g. /opt/wheels),
# then the PyTorch CPU index if it is reachable, else whatever pip resolves from PyPI.
#
# Usage: bash tools/peers/setup_luxical.sh      (from anywhere; paths are relative to the repo root)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/venv_lib.sh"   # sets ROOT, PYTHON
LUXICAL_VERSION="1.1.2"

# luxical 1.1.2 supports CPython 3.11-3.13 only (arrow-tokenize is a compiled extension).
if ! "$PYTHON" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)'; then
    echo "luxical needs Python 3.11-3.13; set PYTHON=python3.1x" >&2
    exit 1
fi
make_venv .venv-luxical   # sets VENV, PY

if "$PY" -c 'import luxical, torch, numba, zstandard' 2>/dev/null \
    && [ "$("$PY" -c 'import luxical; print(luxical.__version__)')" = "$LUXICAL_VERSION" ]; then
    echo "luxical $LUXICAL_VERSION already installed in $VENV"
else
    "$PY" -m pip install --quiet --upgrade pip setuptools wheel

    # 1. CPU torch, before luxical, so that luxical's torch>=2.5.0 is already satisfied.
    if ! "$PY" -c 'import torch' 2>/dev/null; then
        installed_torch=0
        for dir in ${PIP_FIND_LINKS:-} /opt/wheels; do
            whl="$(ls "$dir"/torch-*+cpu-*.whl 2>/dev/null | sort -V | tail -n1 || true)"
            if [ -n "$whl" ] && "$PY" -m pip install --quiet "$whl"; then
                echo "installed CPU torch from $whl"; installed_torch=1; break
            fi
        done
        if [ "$installed_torch" = 0 ] && curl -fsS -m 20 -o /dev/null https://download.pytorch.org/whl/cpu/torch/ 2>/dev/null \
            && "$PY" -m pip install --quiet torch --index-url https://download.pytorch.org/whl/cpu; then
            echo "installed CPU torch from download.pytorch.org/whl/cpu"; installed_torch=1
        fi
        if [ "$installed_torch" = 0 ]; then
            echo "no CPU torch wheel reachable; letting pip resolve torch from PyPI (may pull CUDA wheels)" >&2
        fi
    fi

    # 2. luxical and its inference needs; zstandard for reading the .jsonl.zst corpus in our scripts.
    "$PY" -m pip install --quiet "luxical==$LUXICAL_VERSION" zstandard
fi

# Sanity check + versions.
"$PY" - <<'PYEOF'
import importlib.metadata as md, sys
import luxical.embedder, numba, numpy, torch, zstandard, tokenizers, pyarrow  # noqa: F401  (import check)
print("python", sys.version.split()[0])
for dist in ("luxical", "arrow-tokenize", "numba", "llvmlite", "numpy", "scipy", "torch", "tokenizers", "pyarrow", "zstandard"):
    try:
        print(f"{dist} {md.version(dist)}")
    except md.PackageNotFoundError:
        print(f"{dist} (not installed)")
PYEOF
