#!/usr/bin/env bash
# Runs the release `lexel` over the bad inputs of issue #2 at full size (the unit tests use smaller versions so
# that the debug suite stays fast) and prints what it answered. Exit status 1 if any case crashed (status > 1).
# Usage: make release && tools/check_bad_input.sh
set -u
cd "$(dirname "$0")/.."
LEXEL=${LEXEL:-.build/release/lexel}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
python3 - "$d" <<'PY'
import os, random, sys
d = sys.argv[1]
random.seed(1)
words = ["w%d" % i for i in range(5000)]
with open(os.path.join(d, "line100mb.txt"), "w") as f:          # one 100 MB line of words
    n = 0
    while n < 100_000_000:
        chunk = " ".join(random.choice(words) for _ in range(100_000)) + " "
        f.write(chunk); n += len(chunk)
    f.write("\n")
with open(os.path.join(d, "token100mb.txt"), "w") as f:         # one 100 MB token
    f.write("x" * 100_000_000 + "\n")
open(os.path.join(d, "empty.txt"), "w").close()
with open(os.path.join(d, "garbage.bin"), "wb") as f:
    f.write(os.urandom(1 << 20))
with open(os.path.join(d, "latin1.txt"), "wb") as f:
    f.write("caf\u00e9 au lait\n".encode("latin-1"))
PY
fail=0
run() {
  local name=$1; shift
  local start=$(date +%s.%N)
  local sub=$1; shift
  "$LEXEL" "$sub" -output "$d/out" -verbose 0 -thread 2 -epoch 1 "$@" >"$d/stdout" 2>"$d/stderr"
  local rc=$? end=$(date +%s.%N)
  printf '%-22s exit %d  %5.1fs  %s\n' "$name" "$rc" "$(echo "$end - $start" | bc)" "$(tail -c 200 "$d/stderr" | tr '\n' ' ')"
  [ $rc -gt 1 ] && fail=1
}
run "missing file"    skipgram -input "$d/nope.txt"
run "empty file"      skipgram -input "$d/empty.txt"
run "binary garbage"  skipgram -input "$d/garbage.bin"
run "invalid UTF-8"   skipgram -input "$d/latin1.txt"
run "100 MB line"     skipgram -input "$d/line100mb.txt" -minCount 1
run "100 MB token"    skipgram -input "$d/token100mb.txt" -minCount 1 -maxn 0
run "-dim 0"          skipgram -input "$d/latin1.txt" -dim 0
run "-thread 0"       skipgram -input "$d/latin1.txt" -thread 0
run "-minn 5 -maxn 3" skipgram -input "$d/latin1.txt" -minn 5 -maxn 3
exit $fail
