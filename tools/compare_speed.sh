#!/usr/bin/env bash
# Is a new build as fast as an old one? Runs both, alternating, REPEATS times each: skip-gram with subwords on
# the first 40 MB of ../shared/data/corpus/words-en.txt.zst (2 threads, 1 epoch: words/s/thread from the final
# progress line) and `lexel embed` of 20,000 paragraphs with the shipped model (2 threads: docs/s).
# Usage: tools/compare_speed.sh OLD_LEXEL NEW_LEXEL [REPEATS]   (release builds; prints one line a run, then medians)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 repeats=${3:-3}
data=../shared/data/corpus
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
(zstd -dc $data/words-en.txt.zst || true) | head -c 40000000 > "$d/words.txt"
(zstd -dc $data/paragraphs-en.jsonl.zst || true) | head -n 20000 > "$d/paragraphs.jsonl"
grep -c . "$d/paragraphs.jsonl" >/dev/null
run() {  # run NAME BINARY -> appends "name sg_wps embed_dps"
    local bin=$2
    local sg
    sg=$("$bin" skipgram -input "$d/words.txt" -output "$d/m" -thread 2 -epoch 1 -verbose 1 2>&1 |
         tr '\r' '\n' | grep -o 'words/sec/thread: [0-9]*' | tail -1 | grep -o '[0-9]*$')
    local s e
    s=$(date +%s.%N)
    "$bin" embed "$d/paragraphs.jsonl" --threads 2 --quiet --output "$d/e.npy"
    e=$(date +%s.%N)
    local dps
    dps=$(python3 -c "print(int(20000 / ($e - $s)))")
    echo "$1 $sg $dps" | tee -a "$d/results"
}
echo "build sg-sub-words/s/thread embed-docs/s  ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs)"
for i in $(seq "$repeats"); do
    if [ $((i % 2)) = 1 ]; then run old "$old"; run new "$new"; else run new "$new"; run old "$old"; fi
done
python3 - "$d/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {b: [statistics.median(int(r[k]) for r in rows if r[0] == b) for k in (1, 2)] for b in ("old", "new")}
print(f"median old: {med['old'][0]} words/s/thread, {med['old'][1]} docs/s")
print(f"median new: {med['new'][0]} words/s/thread, {med['new'][1]} docs/s")
print(f"new/old: skip-gram {med['new'][0] / med['old'][0]:.3f}, embed {med['new'][1] / med['old'][1]:.3f}")
PY
