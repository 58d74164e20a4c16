#!/usr/bin/env bash
# Reproduces vocab/lexel-minilm-distilled.lxm, the default model of `lexel embed` (docs/lexical-model.md, "The
# default model"): a static model (one trained 384-d vector per bert-base-uncased WordPiece token, summed and
# normalised, then 1,024 exact-match dimensions: a signed hash of the text's TF-IDF) distilled from all-MiniLM-L6-v2.
#
#   tools/train_default_static.sh              # writes vocab/lexel-minilm-distilled.lxm
#   OUT=/tmp/m.lxm CHUNKS=3 tools/train_default_static.sh
#
# Inputs (the shared data pack, ../shared/data next to the repository; DATA=... to point elsewhere):
#   corpus/paragraphs-en.jsonl.zst   183,000 paragraphs (JSON Lines, field `text`)
#   teacher/minilm-train.f16.npy     all-MiniLM-L6-v2 vectors of paragraphs 0..51,999
# Steps (each skipped when its output exists in WORK; tools/teacher.py writes atomically):
#   1. the teacher's vector of each of the 30,522 vocabulary tokens on its own (tools/teacher.py --tokens, 1 min);
#   2. one sentence of each of paragraphs 0..49,999 (tools/make_distill_set.py --make-sentences) and its teacher
#      vector (about 12 min on 1 core): short texts, so queries, titles and questions are in the training set;
#   3. CHUNKS more chunks of 10,000 paragraphs from id 52,000 on, with their teacher vectors (default 8; about
#      6-15 min a chunk on 1 core). (One sentence of each of those paragraphs as well gave nothing: docs/lexical-model.md);
#   4. the training set (tools/make_distill_set.py): paragraphs 0..49,999, every chunk in WORK/chunks (CHUNKS sets how
#      many are computed; chunks already there from a larger run are used too), the sentences, then the
#      held-out paragraphs 50,000..51,999 last (--holdout 2000: never trained on, scored at the end);
#   5. lexel distill-static: rows initialised from step 1 (centred, SIF-weighted), 3 epochs at peak lr 5e-4 of cosine loss against
#      the teacher vectors (30-60 s on 2 cores), int8 rows, and a 1,024-d feature sketch at weight 0.3 (IDF from the
#      training texts).
# `lexel distill-static` gives the same file for any thread count; the teacher vectors may differ in the last
# float16 bit between machines (torch kernels).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DATA=${DATA:-../shared/data}
OUT=${OUT:-vocab/lexel-minilm-distilled.lxm}
WORK=${WORK:-.build/default-static}
THREADS=${THREADS:-2}
CHUNKS=${CHUNKS:-8}
EPOCHS=${EPOCHS:-3}
LR=${LR:-0.0005}
LEXEL=${LEXEL:-.build/release/lexel}
PYTHON=${PYTHON:-tools/.venv/bin/python}
CORPUS=$DATA/corpus/paragraphs-en.jsonl.zst
VOCAB=vocab/bert-base-uncased/vocab.txt
for f in "$CORPUS" "$DATA/teacher/minilm-train.f16.npy" "$PYTHON"; do
  [ -r "$f" ] || { echo "missing $f (set DATA to the shared data folder; tools/peers/setup_teacher.sh makes the venv)" >&2; exit 1; }
done
if [ ! -x "$LEXEL" ]; then
  echo "== building lexel (release)"
  swift build -c release
  LEXEL=.build/release/lexel
fi
mkdir -p "$WORK/chunks"

echo "== token vectors"
[ -f "$WORK/tokens.npy" ] || "$PYTHON" tools/teacher.py --tokens "$VOCAB" "$WORK/tokens.npy" --dtype f32 --threads "$THREADS"
echo "== sentences and their teacher vectors"
[ -f "$WORK/sentences.jsonl" ] || "$PYTHON" tools/make_distill_set.py --make-sentences "$WORK/sentences.jsonl"
[ -f "$WORK/sentences.npy" ] || nice -n 10 "$PYTHON" tools/teacher.py "$WORK/sentences.jsonl" "$WORK/sentences.npy" --threads "$THREADS"
if [ "$CHUNKS" -gt 0 ]; then
  echo "== teacher vectors of $CHUNKS chunks of 10,000 paragraphs from 52,000"
  for start in $(seq 52000 10000 $((52000 + 10000 * (CHUNKS - 1)))); do
    f=$WORK/chunks/chunk-$start.npy
    [ -f "$f" ] || nice -n 10 "$PYTHON" tools/teacher.py "$CORPUS" "$f" --start "$start" --limit 10000 --threads "$THREADS"
  done
fi
echo "== training set"
rm -rf "$WORK/set"
"$PYTHON" tools/make_distill_set.py "$WORK/set" --paragraph-chunks "$WORK/chunks" --sentences "$WORK/sentences.jsonl"
echo "== lexel distill-static"
"$LEXEL" distill-static "$WORK/set/corpus.jsonl" --field text --teacher "$WORK/set/teacher.npy" \
  --token-vectors "$WORK/tokens.npy" --vocab "$VOCAB" --holdout 2000 -epoch "$EPOCHS" -lr "$LR" --batch 256 \
  --seed 0 --thread "$THREADS" --dtype int8 --sketch-dims 1024 --sketch-weight 0.3 --output "$OUT"
ls -l "$OUT"
