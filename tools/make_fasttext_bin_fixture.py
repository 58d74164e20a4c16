#!/usr/bin/env python3
"""Golden fixture for Lexel's fastText .bin reader, made with the real `fasttext` package.

Trains a tiny skip-gram model (small bucket count so the file stays ~330 KB), saves it with fastText's own
save_model, and records fasttext's get_word_vector for in-vocabulary and out-of-vocabulary words (ASCII and not).
Run with the peers' venv:  tools/.venv/bin/python tools/make_fasttext_bin_fixture.py
"""
import json, os, random, tempfile

from lexel_tools import ROOT, no_options, write_text

no_options(__doc__)
import fasttext  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "LexelStoreTests", "Fixtures")
random.seed(20261123)
vocab = ["the", "kernel", "driver", "memory", "page", "naïve", "café", "über", "日本", "straße", "module", "device"]
filler = ["".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(random.randint(3, 8))) for _ in range(300)]
lines = [" ".join(random.choice(vocab + filler) for _ in range(12)) for _ in range(1500)]
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
    corpus = f.name
model = fasttext.train_unsupervised(corpus, model="skipgram", dim=4, epoch=1, minCount=1, minn=2, maxn=4, lr=0.01,
                                    bucket=20000, thread=1, verbose=0)
os.unlink(corpus)
os.makedirs(OUT, exist_ok=True)
model.save_model(os.path.join(OUT, "tiny-fasttext.bin"))
queries = vocab + ["kernels", "memroy", "naïveté", "日本語", "zzz", "a", "</s>"]
golden = {
    "words": model.get_words(),
    "dim": model.get_dimension(),
    "vectors": {w: [float(x) for x in model.get_word_vector(w)] for w in queries},
}
write_text(os.path.join(OUT, "tiny-fasttext.json"), json.dumps(golden, ensure_ascii=False, indent=0))
print("wrote", OUT, "with", len(golden["words"]), "words")
