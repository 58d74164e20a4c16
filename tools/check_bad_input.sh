#!/usr/bin/env bash
# Runs the release `lexel` over the bad inputs of issues #2, #10 and #12 at full size (the unit tests, among them
# Tests/LexelCLITests/SafetyCLITests.swift, use smaller versions so that the debug suite stays fast) and prints
# what it answered, with the peak RSS of the #10 cases. Exit status 1 if any case crashed (status > 1) or wrote
# through a failure.
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

# Issue #10: bounded inputs, safe outputs. Each line: exit status, peak RSS, the end of the message.
sh_case() {  # sh_case NAME EXPECTED_STATUS 'SHELL COMMAND' (runs with $LEXEL and $d set)
  local name=$1 want=$2
  /usr/bin/time -f '%M' -o "$d/rss" sh -c "$3" >/dev/null 2>"$d/stderr"
  local rc=$?
  printf '%-34s exit %d (want %d)  peak RSS %6d KB  %s\n' "$name" "$rc" "$want" "$(tail -1 "$d/rss")" \
    "$(grep -v '^Command exited' "$d/stderr" | tail -c 160 | tr '\n' ' ')"
  [ "$rc" != "$want" ] && fail=1
}
export LEXEL d
"$LEXEL" skipgram -input "$d/line100mb.txt" -output "$d/v" -minCount 1 -epoch 1 -dim 16 -verbose 0
"$LEXEL" convert "$d/v.bin" "$d/v.lxv"
python3 -c "import sys; sys.stdout.write('x ' * 25_000_000 + '\n')" > "$d/line50mb.txt"
printf 'w1 w2 w3\nw4 w5\n' > "$d/ok.txt"
sh_case "embed /dev/zero"                1 '"$LEXEL" embed /dev/zero --output $d/e.npy --quiet'
sh_case "embed a 100 MB line"            1 '"$LEXEL" embed $d/line100mb.txt --quiet'
sh_case "embed a 50 MB line, limit 64"   0 '"$LEXEL" embed $d/line50mb.txt --max-document-mb 64 --quiet'
sh_case "ngrams /dev/zero"               1 '"$LEXEL" ngrams /dev/zero --output $d/n.tsv --quiet'
sh_case "nn < /dev/zero"                 1 '"$LEXEL" nn $d/v.bin < /dev/zero'
sh_case "query < /dev/zero"              1 '"$LEXEL" query $d/v.lxv --most-similar 3 < /dev/zero'
sh_case "print-word-vectors < /dev/zero" 1 '"$LEXEL" print-word-vectors $d/v.bin < /dev/zero'
sh_case "similar < /dev/zero"            1 '"$LEXEL" similar $d/ok.txt < /dev/zero'
sh_case "embed > /dev/full"              1 '"$LEXEL" embed $d/ok.txt --quiet > /dev/full'
sh_case "query > /dev/full"              1 'echo w1 | "$LEXEL" query $d/v.lxv > /dev/full'
sh_case "convert to a symlink"           0 'echo old > $d/t.vec; ln -sf t.vec $d/l.vec; "$LEXEL" convert $d/v.lxv $d/l.vec && test -L $d/l.vec && head -c 20 $d/t.vec | grep -q "^[0-9]* 16"'
sh_case "convert to a FIFO"              0 'mkfifo $d/f.vec; cat $d/f.vec > /dev/null & "$LEXEL" convert $d/v.lxv $d/f.vec; s=$?; wait; test -p $d/f.vec && exit $s'
sh_case "SIGTERM leaves no temp file"    0 'mkfifo $d/in; sleep 10 > $d/in & "$LEXEL" embed $d/in --output $d/s.npy --quiet & p=$!; sleep 2; kill $p; wait $p; ! ls $d | grep -q tmp-'
sh_case "-output dir/"                   1 '"$LEXEL" skipgram -input $d/latin1.txt -output $d/ -verbose 0'
sh_case "index --output x.vec"           1 '"$LEXEL" index $d/v.lxv --output $d/x.vec'

# Issue #12: clustering and dedup. A 1,000 x 16 float32 .npy, then broken versions of it.
python3 - "$d" <<'PY'
import struct, sys, random
d = sys.argv[1]
random.seed(2)
def npy(path, rows, cut=0):
    head = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 16), }" % len(rows)
    head += " " * (63 - (10 + len(head)) % 64) + "\n"
    body = b"".join(struct.pack("<16f", *r) for r in rows)
    data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head.encode() + body
    open(path, "wb").write(data[:len(data) - cut] if cut else data)
rows = [[random.gauss(0, 1) for _ in range(16)] for _ in range(1000)]
npy(d + "/p.npy", rows)
npy(d + "/cut.npy", rows, cut=100)
npy(d + "/nan.npy", rows[:500] + [[float("nan")] * 16] + rows[500:])
npy(d + "/zero.npy", rows[:10] + [[0.0] * 16] + rows[10:])
npy(d + "/c3.npy", [[1.0] * 16] * 3)
open(d + "/c8.npy", "wb").write(open(d + "/c3.npy", "rb").read().replace(b"(3, 16)", b"(2, 24)"))
PY
sh_case "cluster ok"                     0 '"$LEXEL" cluster $d/p.npy -k 10 --output $d/cl --quiet && test -f $d/cl/centroids.npy'
sh_case "cluster k > n"                  1 '"$LEXEL" cluster $d/p.npy -k 1001 --output $d/cl --quiet'
sh_case "cluster k = 0"                  1 '"$LEXEL" cluster $d/p.npy -k 0 --output $d/cl --quiet'
sh_case "cluster a NaN row"              1 '"$LEXEL" cluster $d/nan.npy -k 10 --output $d/cl --quiet'
sh_case "cluster a zero row (cosine)"    1 '"$LEXEL" cluster $d/zero.npy -k 10 --output $d/cl --quiet'
sh_case "cluster an empty file"          1 '"$LEXEL" cluster $d/empty.txt -k 2 --output $d/cl --quiet'
sh_case "cluster a truncated .npy"       1 '"$LEXEL" cluster $d/cut.npy -k 2 --output $d/cl --quiet'
sh_case "cluster binary garbage"         1 '"$LEXEL" cluster $d/garbage.bin -k 2 --output $d/cl --quiet'
sh_case "cluster a 100 MB line"          1 '"$LEXEL" cluster $d/line100mb.txt -k 1 --output $d/cl --quiet'
sh_case "cluster /dev/zero"              1 '"$LEXEL" cluster /dev/zero -k 1 --output $d/cl --quiet'
sh_case "assign, other dimension"        1 '"$LEXEL" assign $d/p.npy --centroids $d/c8.npy --output $d/as --quiet'
sh_case "dedup standard input"           1 'echo a | "$LEXEL" dedup - --output $d/dd --quiet'
sh_case "failed cluster keeps old output" 0 'c=$(md5sum < $d/cl/centroids.npy); "$LEXEL" cluster $d/nan.npy -k 10 --output $d/cl --quiet; test "$(md5sum < $d/cl/centroids.npy)" = "$c" && ! ls $d/cl | grep -q tmp-'
exit $fail
