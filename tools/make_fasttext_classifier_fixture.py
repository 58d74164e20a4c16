#!/usr/bin/env python3
"""Golden files for Lexel's fastText-compatible classifier: trains four small supervised models with the real
fastText (softmax with word bigrams, ns, hs with character n-grams, ova with word trigrams) on a synthetic
corpus, and records fastText's predictions (every label with its probability) for lines with unknown words,
Unicode, labels in the middle and CRLF, and its `test` results. Writes Tests/LexelClassifierTests/Fixtures/. thread=10: with fewer threads fastText leaves most matrix rows
uninitialised (its init quirk) and these runs end in NaN.
Run: tools/.venv/bin/python tools/make_fasttext_classifier_fixture.py   (venv: tools/peers/setup_venv.sh)"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexel_tools as lt  # noqa: E402

lt.no_options(__doc__)
import fasttext  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LexelClassifierTests", "Fixtures")
TOPICS = {
    "sport": "match goal team player coach league score win season stadium referee ball",
    "tech": "computer software kernel code program server network data chip memory compile",
    "food": "bread cheese recipe cook kitchen bake sauce flavour dinner oven garlic soup",
}
rng = random.Random(5)


def line(labels, n=9):
    words = []
    for _ in range(n):
        words.append(rng.choice(TOPICS[rng.choice(labels)].split()))
    return " ".join(f"__label__{label}" for label in labels) + " " + " ".join(words)


train = [line([t]) for t in TOPICS for _ in range(60)] + [line(["sport", "food"]) for _ in range(15)]
rng.shuffle(train)
test = [line([t]) for t in TOPICS for _ in range(8)] + [line(["tech", "food"]) for _ in range(4)]
queries = [
    "the team scored a late goal", "compile the kernel code on the server", "bake the bread with garlic",
    "an unknownword and anotherone", "café crème brûlée à paris", "東京 の サーバー kernel", "",
    "goal __label__tech code", "soup\r", "recipe recipes recipez kernels", "match  match\tmatch",
]
with open(os.path.join(OUT, "train.txt"), "w") as f:
    f.write("\n".join(train) + "\n")
lt.write_text(os.path.join(OUT, "test.txt"), "\n".join(test) + "\n")
CONFIGS = {
    "softmax-bigrams": dict(loss="softmax", wordNgrams=2, bucket=2000),
    "ns": dict(loss="ns", wordNgrams=1),
    "hs-subwords": dict(loss="hs", minn=2, maxn=4, bucket=2000),
    "ova-trigrams": dict(loss="ova", wordNgrams=3, bucket=2000),
}
expected = {"queries": queries, "models": {}}
for name, cfg in CONFIGS.items():
    for seed in range(1, 20):  # fastText sometimes stops with "Encountered NaN" on data this small: retry
        try:
            m = fasttext.train_supervised(os.path.join(OUT, "train.txt"), dim=8, epoch=5, lr=0.1, minCount=1,
                                          thread=10, seed=seed, verbose=0, **cfg)
            break
        except RuntimeError as e:
            lt.log(f"{name}, seed {seed}: {e}")
    path = os.path.join(OUT, name + ".bin")
    with lt.atomic_path(path) as tmp:
        m.save_model(tmp)
    preds = []
    for q in queries:
        # the low-level call: fasttext 0.9.3's `predict` breaks with numpy 2 (np.array(copy=False))
        pairs = m.f.predict(q + "\n", -1, 0.0, "strict")
        preds.append([[label, float(p)] for p, label in pairs])
    n, p1, r1 = m.test(os.path.join(OUT, "test.txt"), k=1)
    n2, p2, r2 = m.test(os.path.join(OUT, "test.txt"), k=2)
    expected["models"][name] = {"labels": m.get_labels(), "predictions": preds,
                                "test_k1": [n, p1, r1], "test_k2": [n2, p2, r2]}
    lt.log(f"{name}: {os.path.getsize(path)} bytes, P@1 {p1:.3f}")
os.remove(os.path.join(OUT, "train.txt"))
lt.write_json(os.path.join(OUT, "expected.json"), expected)
