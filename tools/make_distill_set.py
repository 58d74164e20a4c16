"""Builds the training set of the default lexical model: texts (JSONL) and row-aligned teacher vectors (.npy, f16).

Rows, in this order:
  1. paragraphs 0..49,999 of corpus/paragraphs-en.jsonl.zst, teacher rows from teacher/minilm-train.f16.npy;
  2. extra paragraphs from id 52,000 on, for which `tools/teacher.py` wrote chunk files
     (--paragraph-chunks DIR: chunk-<start>.npy, each the teacher vectors of paragraphs start.. in order);
  3. one sentence per paragraph of part 1, and of any other paragraph range (--sentences S.jsonl, repeatable, each
     with its teacher vectors S.npy): short texts, so the student also sees queries, titles and questions, not
     only paragraphs;
  4. last, the held-out paragraphs 50,000..51,999 (never trained on: `lexel distill --holdout 2000`).

  tools/.venv/bin/python tools/make_distill_set.py OUT_DIR [--paragraph-chunks D] [--sentences S.jsonl]
  tools/.venv/bin/python tools/make_distill_set.py --make-sentences S.jsonl [--sentence-paragraphs 0:50000]
  tools/.venv/bin/python tools/make_distill_set.py --make-questions Q.jsonl
  tools/.venv/bin/python tools/make_distill_set.py --make-windows W.jsonl --word-lines 540200:554259

Sentences: each paragraph of part 1 is split after . ! or ? followed by a space and a capital, digit or quote;
one piece of 3 to 40 words is drawn at random (seeded); paragraphs with none are skipped. Questions: every such
piece that ends with "?", from every paragraph but the held-out ones (18,988, most from the plays, the Bible and its
commentaries, Austen). Windows: lines FIRST..END-1 (1-based) of corpus/words-en.txt.zst with 20 words or more, cut into
pieces of at most 120 words (lower case, no punctuation: how that file is made); lines 540,200..554,258 are the two
gensim test texts of its `debian_en` part, a shortened English Wikipedia (to line 553,966) and the 300 news articles
of Lee et al. (2005), text the paragraphs do not have (people, places, history).
The file's last 4,284 lines (the news bodies) are refused. Their teacher vectors:
  tools/.venv/bin/python tools/teacher.py S.jsonl S.npy
"""
import argparse
import glob
import os
import random
import re
import sys

import numpy as np

from lexel_tools import DATA, read_jsonl, save_npy, write_jsonl

PARAGRAPHS = os.path.join(DATA, "corpus", "paragraphs-en.jsonl.zst")
TEACHER = os.path.join(DATA, "teacher", "minilm-train.f16.npy")
TRAIN, HELDOUT_START, HELDOUT_END, EXTRA_START = 50_000, 50_000, 52_000, 52_000
WORDS = os.path.join(DATA, "corpus", "words-en.txt.zst")
WORD_LINES, NEWS_LINES, WINDOW = 740_810, 4_284, 120
SENTENCE_END = re.compile(r'(?<=[.!?])["\')\]]?\s+(?=[A-Z0-9"\'(])')


def paragraphs(limit=None):
    for i, row in enumerate(read_jsonl(PARAGRAPHS, limit=limit)):
        assert row["id"] == i, f"{PARAGRAPHS}: line {i + 1} has id {row['id']}"
        yield row["text"]


def pick_sentences(first=0, end=TRAIN):
    """{"id": paragraph, "text": one of its sentences} for the paragraphs first..end-1 that have one (the seed
    depends on `first`, so ranges draw independently and 0:50000 gives the original file)."""
    rng = random.Random(20261123 + first)
    for i, text in enumerate(paragraphs(end)):
        if i < first:
            continue
        pieces = [s.strip() for s in SENTENCE_END.split(text) if 3 <= len(s.split()) <= 40]
        if pieces:
            yield {"id": i, "text": rng.choice(pieces)}


def make_questions(path):
    """Every sentence of 3 to 40 words that ends with a question mark, of every paragraph outside the held-out ones."""
    rows = []
    for i, text in enumerate(paragraphs()):
        if HELDOUT_START <= i < HELDOUT_END:
            continue
        rows += [{"id": i, "text": q} for q in (s.strip() for s in SENTENCE_END.split(text))
                 if q.endswith("?") and 3 <= len(q.split()) <= 40]
    write_jsonl(path, rows)
    print(f"{path}: {len(rows)} questions")


def make_windows(path, span):
    """Pieces of at most WINDOW words of the lines first..end-1 (1-based) of the word corpus that have 20 or more."""
    from lexel_tools import read_lines
    first, end = parse_span("--word-lines", span)
    if end > WORD_LINES - NEWS_LINES + 1:
        sys.exit(f"--word-lines {span}: lines from {WORD_LINES - NEWS_LINES + 1} on are the news bodies of the retrieval set")
    rows = []
    for n, line in enumerate(read_lines(WORDS), start=1):
        if n >= end:
            break
        words = line.split()
        if n >= first and len(words) >= 20:
            rows += [{"line": n, "text": " ".join(words[i:i + WINDOW])} for i in range(0, len(words), WINDOW)
                     if len(words[i:i + WINDOW]) >= 10]
    if not rows:
        sys.exit(f"--word-lines {span}: no line of 20 words or more")
    write_jsonl(path, rows)
    print(f"{path}: {len(rows)} windows of lines {first}..{end - 1}")


def parse_span(flag, span):
    try:
        first, end = (int(x) for x in span.split(":"))
    except ValueError:
        sys.exit(f"{flag} {span}: expected FIRST:END, two numbers")
    if not 0 <= first < end:
        sys.exit(f"{flag} {span}: FIRST must be below END")
    if flag == "--word-lines" and first < 1:
        sys.exit(f"{flag} {span}: lines are numbered from 1")
    return first, end


def make_sentences(path, span):
    try:
        first, end = (int(x) for x in span.split(":"))
    except ValueError:
        sys.exit(f"--sentence-paragraphs {span}: expected FIRST:END, two paragraph ids (e.g. 52000:92000)")
    if not 0 <= first < end or (first < HELDOUT_END and end > HELDOUT_START):
        sys.exit(f"--sentence-paragraphs {span}: a range first:end that leaves out the held-out "
                 f"{HELDOUT_START}..{HELDOUT_END - 1}")
    rows = list(pick_sentences(first, end))
    write_jsonl(path, rows)
    print(f"{path}: {len(rows)} sentences from paragraphs {first}..{end - 1}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir", nargs="?")
    ap.add_argument("--paragraph-chunks", help="folder of chunk-<start>.npy teacher files for paragraphs >= 52,000")
    ap.add_argument("--sentences", action="append", default=[],
                    help="sentences JSONL (its teacher vectors: the same path with .npy); repeatable")
    make = ap.add_mutually_exclusive_group()
    make.add_argument("--make-sentences", metavar="S.jsonl", help="write the sentence file and stop")
    ap.add_argument("--sentence-paragraphs", default=f"0:{TRAIN}", metavar="FIRST:END",
                    help=f"with --make-sentences: the paragraphs to draw from (default 0:{TRAIN})")
    make.add_argument("--make-questions", metavar="Q.jsonl", help="write the question file and stop")
    make.add_argument("--make-windows", metavar="W.jsonl", help="write windows of --word-lines of the word corpus and stop")
    ap.add_argument("--word-lines", default="540200:554259", metavar="FIRST:END",
                    help="with --make-windows: 1-based lines FIRST..END-1 (default: the word corpus's Wikipedia)")
    args = ap.parse_args()
    if args.make_questions:
        return make_questions(args.make_questions)
    if args.make_windows:
        return make_windows(args.make_windows, args.word_lines)
    if args.make_sentences:
        return make_sentences(args.make_sentences, args.sentence_paragraphs)
    if not args.out_dir:
        ap.error("OUT_DIR is required")

    teacher = np.load(TEACHER, mmap_mode="r")
    texts = list(paragraphs())
    rows, vectors = texts[:TRAIN], [np.asarray(teacher[:TRAIN])]
    extra = 0
    if args.paragraph_chunks:
        chunks = sorted(glob.glob(os.path.join(args.paragraph_chunks, "chunk-*.npy")),
                        key=lambda p: int(re.search(r"chunk-(\d+)\.npy$", p).group(1)))
        expect = EXTRA_START
        for path in chunks:
            start = int(re.search(r"chunk-(\d+)\.npy$", path).group(1))
            if start != expect:
                sys.exit(f"{path}: starts at paragraph {start}, expected {expect} (chunks must be contiguous)")
            v = np.load(path)
            rows += texts[start:start + len(v)]
            vectors.append(v.astype(np.float16))
            expect, extra = start + len(v), extra + len(v)
    sentences = 0
    for path in args.sentences:
        s = list(read_jsonl(path, "text"))
        v = np.load(os.path.splitext(path)[0] + ".npy")
        if len(v) != len(s):
            sys.exit(f"{path}: {len(s)} sentences but {len(v)} teacher rows")
        rows += s
        vectors.append(v.astype(np.float16))
        sentences += len(s)
    rows += texts[HELDOUT_START:HELDOUT_END]
    vectors.append(np.asarray(teacher[HELDOUT_START:HELDOUT_END]))
    matrix = np.concatenate(vectors)
    assert len(rows) == len(matrix)

    os.makedirs(args.out_dir, exist_ok=True)
    corpus, npy = os.path.join(args.out_dir, "corpus.jsonl"), os.path.join(args.out_dir, "teacher.npy")
    write_jsonl(corpus, ({"id": i, "text": t} for i, t in enumerate(rows)))
    save_npy(npy, matrix)   # last: tools/train_default_lexical.sh takes an existing teacher.npy for a finished set
    print(f"{corpus}: {len(rows)} rows = {TRAIN} paragraphs + {extra} extra paragraphs + {sentences} sentences "
          f"+ {HELDOUT_END - HELDOUT_START} held out (last); {npy}: {matrix.shape} {matrix.dtype}")


if __name__ == "__main__":
    main()
