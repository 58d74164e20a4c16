#!/usr/bin/env bash
# Reproduces the former default model of `lexel embed` (until 2026-12-04; now a static model made by
# tools/train_default_static.sh): a lexical-dense embedder (n-gram TF-IDF -> 96 -> 2048 -> 192) distilled from
# all-MiniLM-L6-v2 vectors of the shared paragraph corpus, for comparison (docs/lexical-model.md).
#
#   tools/train_default_lexical.sh            # writes out/lexel-dense-distilled.lxm
#   OUT=/tmp/m.lxm tools/train_default_lexical.sh
#
# Inputs (from the shared data pack, ../shared/data next to the repository; DATA=... to point elsewhere):
#   corpus/paragraphs-en.jsonl.zst   183,000 paragraphs (JSON Lines, field `text`)
#   teacher/minilm-train.f16.npy     all-MiniLM-L6-v2 vectors of paragraphs 0..51,999
# Steps (each skipped when its output exists in WORK):
#   1. teacher vectors of paragraphs 52,000..182,999 with tools/teacher.py (tools/.venv; CPU, chunks of 10,000,
#      about 4 min a chunk on 2 idle cores, 55 min in all);
#   2. one sentence of each training paragraph (tools/make_distill_set.py --make-sentences) and its teacher vector
#      (about 7 min): short texts, so that queries, titles and questions are in the training distribution;
#   3. the training set (tools/make_distill_set.py): paragraphs 0..49,999, 52,000..182,999, the sentences, then
#      the held-out paragraphs 50,000..51,999 last (--holdout 2000: never trained on, scored at the end);
#   4. lexel ngrams, 5. lexel distill.
#
# The result is deterministic: `lexel ngrams` runs on one counting thread (with more, its Space-Saving
# merge order, and so a few borderline n-grams and estimated counts, depend on scheduling), and `lexel
# distill` gives the same weights for any thread count (checked: byte-identical files from 1 and 2 threads).
# The teacher vectors may differ in the last float16 bit between machines (torch kernels).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DATA=${DATA:-../shared/data}
OUT=${OUT:-out/lexel-dense-distilled.lxm}
WORK=${WORK:-.build/default-lexical}
THREADS=${THREADS:-2}
LEXEL=${LEXEL:-.build/release/lexel}
EPOCHS=${EPOCHS:-30}

PYTHON=${PYTHON:-tools/.venv/bin/python}
CORPUS=$DATA/corpus/paragraphs-en.jsonl.zst
TEACHER=$DATA/teacher/minilm-train.f16.npy
for f in "$CORPUS" "$TEACHER" "$PYTHON"; do
  [ -r "$f" ] || { echo "missing $f (set DATA to the shared data folder)" >&2; exit 1; }
done

if [ ! -x "$LEXEL" ]; then
  echo "== building lexel (release)"
  swift build -c release
  LEXEL=.build/release/lexel
fi
mkdir -p "$WORK/chunks"

echo "== teacher vectors of paragraphs 52,000..182,999"
for start in $(seq 52000 10000 182999); do
  f=$WORK/chunks/chunk-$start.npy
  [ -f "$f" ] && continue
  nice -n 10 "$PYTHON" tools/teacher.py "$CORPUS" "$f" --start "$start" --limit 10000 --threads "$THREADS"
done
echo "== sentences and their teacher vectors"
[ -f "$WORK/sentences.jsonl" ] || "$PYTHON" tools/make_distill_set.py --make-sentences "$WORK/sentences.jsonl"
# (tools/teacher.py and tools/make_distill_set.py write atomically: an output that exists is complete)
[ -f "$WORK/sentences.npy" ] || \
  nice -n 10 "$PYTHON" tools/teacher.py "$WORK/sentences.jsonl" "$WORK/sentences.npy" --threads "$THREADS"
echo "== training set"
[ -f "$WORK/set/teacher.npy" ] || "$PYTHON" tools/make_distill_set.py "$WORK/set" --paragraph-chunks "$WORK/chunks" \
  --sentences "$WORK/sentences.jsonl"

# The feature vocabulary: the 210,000 most frequent bert-base-uncased WordPiece 1..5-grams of all 183,000
# paragraphs (unsupervised counts; includes the 2,000 held-out paragraphs' text, not their teacher vectors).
echo "== lexel ngrams"
nice -n 10 "$LEXEL" ngrams "$CORPUS" --field text --top 210000 --minn 1 --maxn 5 --capacity-factor 3 \
  --threads 1 --vocab vocab/bert-base-uncased/vocab.txt --quiet --output "$WORK/ngrams.tsv"

# Distillation: collection IDF (Luxical's), W0 = 210,000 x 96, one dense layer of 2048, output 192; Gram-KL loss
# (temperature 3), AdamW beta 0.9/0.9, lazy W0 rows, peak lr 0.0025 (warmup 5%, linear decay over the last 10%),
# batch 256, 30 epochs (EPOCHS=...), seed 0. Saved with int8 W0 rows (one scale per row) and f16 dense layers. The checkpoint
# (written once, at the end) lets `lexel distill ... --resume "$WORK/distill.ckpt" --dtype f32 --layer-dtype f32
# --output f32.lxm` write the same weights unquantised, for comparison, without training again.
echo "== lexel distill"
nice -n 10 "$LEXEL" distill "$WORK/set/corpus.jsonl" --field text --teacher "$WORK/set/teacher.npy" --ngrams "$WORK/ngrams.tsv" \
  --vocab vocab/bert-base-uncased/vocab.txt --idf collection --dims 96,2048,192 \
  -epoch $EPOCHS -lr 0.0025 --batch 256 --weight-decay 0 --seed 0 --holdout 2000 --thread "$THREADS" \
  --checkpoint "$WORK/distill.ckpt" --checkpoint-every 1000000 \
  --dtype int8 --layer-dtype f16 --output "$OUT"

ls -l "$OUT"
