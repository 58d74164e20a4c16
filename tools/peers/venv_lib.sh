# Sourced by the tools/peers/setup_*.sh scripts (not run on its own).
# make_venv NAME: keeps tools/NAME out of git (adds /tools/NAME/ to the repository's .gitignore, creating the file if
# missing and keeping its other lines) and creates the venv tools/NAME with $PYTHON (default python3) if it has no
# bin/python yet. Sets ROOT (the repository), VENV (tools/NAME) and PY (its python).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON="${PYTHON:-python3}"

make_venv() {
    local name=$1 pattern
    VENV="$ROOT/tools/$name"
    PY="$VENV/bin/python"
    pattern="/?tools/${name//./\\.}/?"
    touch "$ROOT/.gitignore"
    if ! grep -qxE "$pattern" "$ROOT/.gitignore"; then
        # make sure the file ends with a newline before appending
        if [ -s "$ROOT/.gitignore" ] && [ "$(tail -c1 "$ROOT/.gitignore" | wc -l)" -eq 0 ]; then
            echo >> "$ROOT/.gitignore"
        fi
        echo "/tools/$name/" >> "$ROOT/.gitignore"
    fi
    if [ ! -x "$PY" ]; then
        echo "creating venv at $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
}
