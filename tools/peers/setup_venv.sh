#!/usr/bin/env bash
# Idempotent: creates/updates tools/.venv with the peer word-vector trainers used by tools/bench_words.py.
#   fasttext 0.9.3 (falls back to fasttext-wheel), gensim 4.4.0, numpy, scipy, zstandard.
# Usage: bash tools/peers/setup_venv.sh   (from anywhere; paths are relative to the repo root)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/venv_lib.sh"
make_venv .venv   # sets ROOT, VENV, PY
"$PY" -m pip install --quiet --upgrade pip setuptools wheel

"$PY" -m pip install --quiet numpy scipy zstandard "gensim==4.4.0"

if "$PY" -c 'import fasttext' 2>/dev/null; then
    echo "fasttext already importable"
elif "$PY" -m pip install --quiet "fasttext==0.9.3"; then
    echo "installed fasttext==0.9.3"
else
    echo "fasttext==0.9.3 failed to install; falling back to fasttext-wheel" >&2
    "$PY" -m pip install --quiet fasttext-wheel
fi

# Sanity check + versions.
"$PY" - <<'PYEOF'
import importlib.metadata as md, sys
import numpy, scipy, zstandard, gensim, fasttext  # noqa: F401  (import check)
print("python", sys.version.split()[0])
for dist in ("fasttext", "fasttext-wheel", "gensim", "numpy", "scipy", "zstandard"):
    try:
        print(f"{dist} {md.version(dist)}")
    except md.PackageNotFoundError:
        pass
PYEOF
