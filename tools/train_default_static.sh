#!/usr/bin/env bash
# Reproduces vocab/lexel-minilm-distilled.lxm, the default model of `lexel embed` (docs/lexical-model.md, "The
# default model"): a static model (one trained 384-d vector per bert-base-uncased WordPiece token and per frequent
# token bigram, summed and normalised, then 1,024 exact-match dimensions: a signed hash of the text's TF-IDF)
# distilled from all-MiniLM-L6-v2.
#
#   tools/train_default_static.sh              # writes vocab/lexel-minilm-distilled.lxm
#   OUT=/tmp/m.lxm CHUNKS=3 tools/train_default_static.sh   # a quicker, weaker model
#
# Inputs (the shared data pack, ../shared/data next to the repository; DATA=... to point elsewhere):
#   corpus/paragraphs-en.jsonl.zst   183,000 paragraphs (JSON Lines, field `text`)
#   teacher/minilm-train.f16.npy     all-MiniLM-L6-v2 vectors of paragraphs 0..51,999
# Steps (each skipped when its output exists in WORK; tools/teacher.py writes atomically):
#   1. the teacher's vector of each of the 30,522 vocabulary tokens on its own (tools/teacher.py --tokens, 1 min);
#   2. one sentence of each of paragraphs 0..49,999 (tools/make_distill_set.py --make-sentences) and its teacher
#      vector (about 12 min on 1 core): short texts, so queries, titles and questions are in the training set;
#   3. CHUNKS more chunks of 10,000 paragraphs from id 52,000 on, with their teacher vectors (default 14: every
#      paragraph to 182,999, the last chunk 1,000; about 6-15 min a chunk on 1 core, two processes in parallel are
#      faster than one with 2 threads). (One sentence of each of those paragraphs as well gave nothing: docs/lexical-model.md);
#   4. every question of the paragraphs (make_distill_set.py --make-questions, 18,988) and windows of the word
#      corpus's gensim test texts, a shortened Wikipedia and 300 news articles of Lee et al. (--make-windows, 7,577),
#      with their teacher vectors (5 min);
#   5. the training set (tools/make_distill_set.py): paragraphs 0..49,999, every chunk in WORK/chunks (CHUNKS sets how
#      many are computed; chunks already there from a larger run are used too), the sentences, questions and
#      windows, then the held-out paragraphs 50,000..51,999 last (--holdout 2000: never trained on, scored at the end);
#   6. the token bigrams of the training texts (lexel ngrams --minn 2 --maxn 2, the held-out paragraphs left out);
#   7. lexel distill-static: token rows initialised from step 1 (centred, SIF-weighted), a row starting at zero for
#      each bigram found in >= 50 training texts, 3 epochs at peak lr 5e-4 of cosine loss against the teacher vectors
#      (about a minute on 2 cores), int8 rows, and a 1,024-d feature sketch of the tokens at weight 0.3 (IDF from the
#      training texts), plus 0.4 exp(-n / 20) for a text of n tokens (short texts lean more on their exact words).
# `lexel distill-static` gives the same file for any thread count; the teacher vectors may differ in the last
# float16 bit between machines (torch kernels). BACKEND=torch-bf16 runs the teacher in bfloat16 where the CPU has
# avx512_bf16 (1.9x the speed, row cosine >= 0.9999 to fp32; tools/teacher.py), so the model then differs slightly.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DATA=${DATA:-../shared/data}
OUT=${OUT:-vocab/lexel-minilm-distilled.lxm}
WORK=${WORK:-.build/default-static}
THREADS=${THREADS:-2}
CHUNKS=${CHUNKS:-14}
HOLDOUT=2000   # the held-out paragraphs make_distill_set.py puts last
EPOCHS=${EPOCHS:-3}
LR=${LR:-0.0005}
LEXEL=${LEXEL:-.build/release/lexel}
PYTHON=${PYTHON:-tools/.venv/bin/python}
BACKEND=${BACKEND:-torch}
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
[ -f "$WORK/sentences.npy" ] || nice -n 10 "$PYTHON" tools/teacher.py "$WORK/sentences.jsonl" "$WORK/sentences.npy" --threads "$THREADS" --backend "$BACKEND"
if [ "$CHUNKS" -gt 0 ]; then
  echo "== teacher vectors of $CHUNKS chunks of 10,000 paragraphs from 52,000"
  for start in $(seq 52000 10000 $((52000 + 10000 * (CHUNKS - 1)))); do
    f=$WORK/chunks/chunk-$start.npy
    limit=$((183000 - start < 10000 ? 183000 - start : 10000))
    [ "$limit" -gt 0 ] || break
    [ -f "$f" ] || nice -n 10 "$PYTHON" tools/teacher.py "$CORPUS" "$f" --start "$start" --limit "$limit" --threads "$THREADS" --backend "$BACKEND"
  done
fi
echo "== questions and Wikipedia windows, and their teacher vectors"
[ -f "$WORK/questions.jsonl" ] || "$PYTHON" tools/make_distill_set.py --make-questions "$WORK/questions.jsonl"
[ -f "$WORK/questions.npy" ] || nice -n 10 "$PYTHON" tools/teacher.py "$WORK/questions.jsonl" "$WORK/questions.npy" --threads "$THREADS" --backend "$BACKEND"
[ -f "$WORK/wiki.jsonl" ] || "$PYTHON" tools/make_distill_set.py --make-windows "$WORK/wiki.jsonl"
[ -f "$WORK/wiki.npy" ] || nice -n 10 "$PYTHON" tools/teacher.py "$WORK/wiki.jsonl" "$WORK/wiki.npy" --threads "$THREADS" --backend "$BACKEND"
echo "== training set"
rm -rf "$WORK/set"
"$PYTHON" tools/make_distill_set.py "$WORK/set" --paragraph-chunks "$WORK/chunks" --sentences "$WORK/sentences.jsonl" \
  --sentences "$WORK/questions.jsonl" --sentences "$WORK/wiki.jsonl"
echo "== token bigrams of the training texts"
rows=$(wc -l < "$WORK/set/corpus.jsonl")
head -n $((rows - HOLDOUT)) "$WORK/set/corpus.jsonl" > "$WORK/set/train.jsonl"
# one counting thread: with more, Space-Saving's merges (so borderline n-grams) depend on scheduling
"$LEXEL" ngrams "$WORK/set/train.jsonl" --field text --vocab "$VOCAB" --minn 2 --maxn 2 --top 300000 \
  --threads 1 --quiet --output "$WORK/set/bigrams.tsv"
echo "== lexel distill-static"
"$LEXEL" distill-static "$WORK/set/corpus.jsonl" --field text --teacher "$WORK/set/teacher.npy" \
  --token-vectors "$WORK/tokens.npy" --vocab "$VOCAB" --holdout "$HOLDOUT" -epoch "$EPOCHS" -lr "$LR" --batch 256 \
  --seed 0 --thread "$THREADS" --dtype int8 --sketch-dims 1024 --sketch-weight 0.3 \
  --sketch-short-weight 0.4 --sketch-short-length 20 \
  --ngrams "$WORK/set/bigrams.tsv" --ngram-min-df 50 --output "$OUT"
ls -l "$OUT"
