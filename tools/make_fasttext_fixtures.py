#!/usr/bin/env python3
"""Generate the golden fastText subword fixture used by Tests/LexelTextTests/FastTextHashTests.swift.

Trains a tiny unsupervised skipgram model with the real `fasttext` package (0.9.3) and records, for a fixed
list of words, whether each is in the vocabulary and `model.get_subwords(word)` (n-gram strings and ids, where
an n-gram's id is `nwords + hash(ngram) % bucket`). Also records `get_subword_id(s) - nwords` (= fastText's
`hash(s) % bucket`) for a few whole strings.

Usage (from the repository root):
    tools/.venv/bin/python tools/make_fasttext_fixtures.py
"""

import os
import random
import sys
import tempfile

import fasttext

from lexel_tools import no_options, write_json

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "Tests", "LexelTextTests", "Fixtures", "fasttext-subwords.json")

MINN, MAXN, BUCKET, DIM = 3, 6, 2_000_000, 8

WORDS = [
    # ASCII
    "hello", "a", "ab", "the", "kernel",
    # non-ASCII (2-, 3- and 4-byte UTF-8 sequences)
    "héllo", "naïve", "straße", "über", "日本語", "😀smile", "ñ",
]

# Whole strings for which `hash(s) % bucket` is recorded (via get_subword_id).
HASH_STRINGS = ["", "a", "foobar", "hello", "<he", "héllo", "<hé", "ñ", "über", "日本語", "😀"]

# Words of the training text: some test words (ASCII and not) plus filler, so that several test words are in
# the vocabulary and others are not ("ab", "straße", "ñ", "😀smile" never appear).
IN_TEXT = ["hello", "the", "kernel", "a", "naïve", "über", "日本語", "héllo"]
FILLER = (
    "quick brown fox jumps over lazy dog river stone tree light night music model vector word "
    "train text small corpus language learning hash table number"
).split()


def main() -> int:
    no_options(__doc__)
    rng = random.Random(1234)
    tokens = [rng.choice(FILLER + IN_TEXT) for _ in range(400)] + IN_TEXT
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "corpus.txt")
        with open(path, "w", encoding="utf-8") as f:
            for k in range(0, len(tokens), 20):
                f.write(" ".join(tokens[k:k + 20]) + "\n")
        model = fasttext.train_unsupervised(
            path, model="skipgram", minCount=1, dim=DIM, epoch=1, minn=MINN, maxn=MAXN,
            bucket=BUCKET, thread=1, verbose=0,
        )

    nwords = len(model.words)
    words_out = []
    for w in WORDS:
        wid = model.get_word_id(w)
        subs, ids = model.get_subwords(w)
        subs, ids = list(subs), [int(i) for i in ids]
        if wid >= 0:
            # get_subwords lists the whole word first when it is in the vocabulary.
            assert subs[0] == w and ids[0] == wid, (w, subs[0], ids[0], wid)
            subs, ids = subs[1:], ids[1:]
        for i in ids:
            assert nwords <= i < nwords + BUCKET, (w, i)
        words_out.append({"word": w, "id": int(wid), "ngrams": [[s, i] for s, i in zip(subs, ids)]})

    hashes = []
    for s in HASH_STRINGS:
        h = int(model.get_subword_id(s)) - nwords
        assert 0 <= h < BUCKET, (s, h)
        hashes.append([s, h])

    fixture = {
        "generator": "tools/make_fasttext_fixtures.py (fasttext %s)" % getattr(fasttext, "__version__", "0.9.3"),
        "nwords": nwords,
        "bucket": BUCKET,
        "minn": MINN,
        "maxn": MAXN,
        "words": words_out,
        "hashModBucket": hashes,
        # Textbook (unsigned-byte) 32-bit FNV-1a constants; for ASCII they equal fastText's hash.
        "fnv1a32": [["", 0x811C9DC5], ["a", 0xE40C292C], ["foobar", 0xBF9CF968]],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_json(OUT, fixture, indent=1, ensure_ascii=False)
    print("wrote %s (nwords=%d, %d words)" % (os.path.relpath(OUT, REPO), nwords, len(words_out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
