#!/usr/bin/env bash
# Kills `lexel convert` and `lexel index` part-way (SIGKILL, at several delays) while they would replace an
# existing .lxv, and checks that the existing file is byte-for-byte untouched and still verifies (issue #3: writes
# are atomic). A kill that lands after the command finished is reported as such, not counted as a pass.
# Usage: make release && tools/check_atomic_convert.sh
set -u
cd "$(dirname "$0")/.."
LEXEL=${LEXEL:-.build/release/lexel}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
python3 - "$d/big.vec" <<'PY'
import random, sys
random.seed(3)
n, dim = 200_000, 100
with open(sys.argv[1], "w") as f:
    f.write(f"{n} {dim}\n")
    for i in range(n):
        f.write(f"w{i} " + " ".join(f"{random.uniform(-1, 1):.5f}" for _ in range(dim)) + "\n")
PY
printf '2 3\na 1 2 3\nb 4 5 6\n' > "$d/small.vec"
"$LEXEL" convert "$d/small.vec" "$d/out.lxv" || exit 2
cp "$d/out.lxv" "$d/expected.lxv"
fail=0 tested=0
attempt() {
  local what=$1 delay=$2; shift 2
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    tested=$((tested + 1))
    if cmp -s "$d/out.lxv" "$d/expected.lxv" && "$LEXEL" query "$d/out.lxv" --verify >/dev/null; then
      echo "$what killed after ${delay}s: existing file untouched"
    else
      echo "$what killed after ${delay}s: EXISTING FILE CHANGED"; fail=1
    fi
  else
    wait "$pid"
    echo "$what finished before ${delay}s (not a test); restoring the original"
    cp "$d/expected.lxv" "$d/out.lxv"
  fi
  rm -f "$d"/out.lxv.tmp-*  # a killed process cannot remove its temp file
}
for delay in 0.2 0.5 1 2; do attempt "convert" "$delay" "$LEXEL" convert "$d/big.vec" "$d/out.lxv" --dtype int8; done
"$LEXEL" convert "$d/big.vec" "$d/big.lxv" >/dev/null && cp "$d/big.lxv" "$d/out.lxv" && cp "$d/big.lxv" "$d/expected.lxv"
for delay in 0.5 2; do attempt "index" "$delay" "$LEXEL" index "$d/out.lxv" --verbose 0; done
echo "$tested kills landed mid-write"
[ "$tested" -gt 0 ] || fail=1
exit $fail
