#!/usr/bin/env bash
# Do two builds of lexel give the same outputs? Runs both on the same inputs and compares the bytes of what
# they write: skipgram/cbow -thread 1 -seed 1 (.vec and the vectors of .bin), .lxv conversions, .lxm conversion,
# embeddings. Usage: tools/compare_builds.sh OLD_LEXEL NEW_LEXEL   (release builds; ~2 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
(zstd -dc vocab/demo-corpus.txt.zst || true) | head -c 3000000 > "$d/corpus.txt"
fail=0
same() {  # same FILE_A FILE_B WHAT
    if cmp -s "$1" "$2"; then echo "same: $3"; else echo "DIFFERENT: $3"; fail=1; fi
}
for b in old new; do
    bin=${!b}
    mkdir -p "$d/$b"
    "$bin" skipgram -input "$d/corpus.txt" -output "$d/$b/sg" -thread 1 -seed 1 -epoch 1 -dim 32 -minCount 3 -verbose 0
    "$bin" cbow -input "$d/corpus.txt" -output "$d/$b/cb" -thread 1 -seed 1 -epoch 1 -dim 32 -minCount 3 -maxn 0 -loss hs -verbose 0
    "$bin" convert "$d/old/sg.vec" "$d/$b/sg-int8.lxv" --dtype int8
    "$bin" convert "$d/old/sg.bin" "$d/$b/sg-f16.lxv" --dtype f16 --fold-case
    "$bin" convert "$d/old/sg-int8.lxv" "$d/$b/back.vec"
    "$bin" convert vocab/lexel-minilm-distilled.lxm "$d/$b/model.lxm" --dtype int8 --layer-dtype f16
    head -2000 "$d/corpus.txt" | "$bin" embed --model vocab/lexel-minilm-distilled.lxm --output "$d/$b/emb.npy" --threads 2 --quiet
    head -50 "$d/corpus.txt" | "$bin" embed --model vocab/lexel-minilm-distilled.lxm --quiet > "$d/$b/emb.jsonl"
    printf 'king\nqueen\n' | "$bin" query "$d/old/sg-int8.lxv" --most-similar 5 > "$d/$b/query.txt"
done
same "$d/old/sg.vec" "$d/new/sg.vec" "skipgram -thread 1 -seed 1: .vec"
same "$d/old/cb.vec" "$d/new/cb.vec" "cbow -loss hs -thread 1 -seed 1: .vec"
same "$d/old/sg-int8.lxv" "$d/new/sg-int8.lxv" ".vec -> int8 .lxv"
same "$d/old/sg-f16.lxv" "$d/new/sg-f16.lxv" ".bin -> f16 .lxv with fold index"
same "$d/old/back.vec" "$d/new/back.vec" ".lxv -> .vec"
same "$d/old/model.lxm" "$d/new/model.lxm" ".lxm -> int8/f16 .lxm"
same "$d/old/emb.npy" "$d/new/emb.npy" "embed -> .npy"
same "$d/old/emb.jsonl" "$d/new/emb.jsonl" "embed -> JSON Lines on stdout"
same "$d/old/query.txt" "$d/new/query.txt" "query --most-similar"
exit $fail
