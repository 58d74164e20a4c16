#!/usr/bin/env bash
# Idempotent: adds the clustering peers to tools/.venv (creating it with setup_venv.sh first when missing), for
# tools/bench_kmeans.py: faiss-cpu 1.15.1, scikit-learn (with threadpoolctl), numpy, zstandard.
# Usage: bash tools/peers/setup_cluster.sh
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/venv_lib.sh"
[ -x "$ROOT/tools/.venv/bin/python" ] || bash "$ROOT/tools/peers/setup_venv.sh"
make_venv .venv   # sets ROOT, VENV, PY
"$PY" -m pip install --quiet "faiss-cpu==1.15.1" scikit-learn threadpoolctl numpy zstandard

"$PY" - <<'PYEOF'
import importlib.metadata as md
import faiss, sklearn, threadpoolctl  # noqa: F401  (import check)
for dist in ("faiss-cpu", "scikit-learn", "threadpoolctl", "numpy"):
    print(f"{dist} {md.version(dist)}")
PYEOF
