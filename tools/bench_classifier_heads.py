#!/usr/bin/env python3
"""Heads on Lexel's document embeddings against scikit-learn, fastText and TF-IDF, side by side in one run
(issue #11): for each labelled set, `lexel supervised --features lexical` trains a linear head (softmax
regression) and an MLP head on the shipped model's embeddings; scikit-learn's LogisticRegression is fitted on
the same embeddings (`lexel embed` of the same texts: the sanity check of Lexel's trainer); fastText (defaults)
and TF-IDF (sublinear tf, fitted on the training texts) + LogisticRegression are the references. Reports P@1
(accuracy of the top label against the line's first label) and, for binary sets, ROC AUC. Writes
out/bench-classifier/heads.json.
Run: tools/.venv/bin/python tools/bench_classifier_heads.py [--sets trec-6,sentence-polarity,paragraph-source]"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexel_tools as lt  # noqa: E402
from bench_classifier_train import parse_common, split_file  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def split(path):
    labels, texts = [], []
    for line in open(path, encoding="utf-8"):
        words = line.split()
        labels.append(next((w for w in words if w.startswith("__label__")), None))
        texts.append(" ".join(w for w in words if not w.startswith("__label__")))
    return labels, texts


def lexel_scores(lexel, model, test, names):
    """Top labels and the probability of every label (columns in `names` order) for each test line."""
    out = subprocess.run([lexel, "predict-prob", model, test, "-1"], check=True, capture_output=True, text=True).stdout.splitlines()
    import numpy as np
    probs = np.zeros((len(out), len(names)))
    top = []
    for i, line in enumerate(out):
        parts = line.split()
        top.append(parts[0])
        for j in range(0, len(parts), 2):
            probs[i, names.index(parts[j])] = float(parts[j + 1])
    return top, probs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="trec-6,sentence-polarity,paragraph-source")
    args = parse_common(ap)
    import numpy as np
    import fasttext
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    rows = []
    print("| set | fastText | TF-IDF + LR | sklearn LR on Lexel embeddings | Lexel linear head | Lexel MLP head |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.sets.split(","):
        train, test = split_file(args.work, name, "train"), split_file(args.work, name, "test")
        ytr, ttr = split(train)
        yte, tte = split(test)
        names = sorted(set(y for y in ytr if y))
        binary = len(names) == 2
        res = {}

        def record(key, top, probs):
            p1 = float(np.mean([t == g for t, g in zip(top, yte)]))
            auc = None
            if binary:
                auc = float(roc_auc_score([g == names[1] for g in yte], probs[:, 1]))
            res[key] = {"p1": p1, "auc": auc}

        m = fasttext.train_supervised(train, thread=args.threads, verbose=0, seed=0)
        ft_labels, ft_probs = m.predict(tte, k=-1)
        probs = np.zeros((len(tte), len(names)))
        for i, (ls, ps) in enumerate(zip(ft_labels, ft_probs)):
            for lab, p in zip(ls, ps):
                if lab in names:
                    probs[i, names.index(lab)] = p
        record("fasttext", [ls[0] for ls in ft_labels], probs)

        vec = TfidfVectorizer(sublinear_tf=True)
        lr = LogisticRegression(max_iter=2000).fit(vec.fit_transform(ttr), ytr)
        p = lr.predict_proba(vec.transform(tte))
        record("tfidf_lr", list(lr.classes_[p.argmax(1)]), p[:, [list(lr.classes_).index(n) for n in names]])

        def embed(texts, path):
            lt.write_text(path + ".txt", "".join(t.replace("\n", " ") + "\n" for t in texts))
            subprocess.run([args.lexel, "embed", path + ".txt", "--output", path + ".npy", "--threads", str(args.threads)],
                           check=True, capture_output=True)
            return np.load(path + ".npy")
        xtr = embed(ttr, os.path.join(args.work, f"heads-{name}-train"))
        xte = embed(tte, os.path.join(args.work, f"heads-{name}-test"))
        keep = [i for i, y in enumerate(ytr) if y]
        lr = LogisticRegression(max_iter=2000).fit(xtr[keep], [ytr[i] for i in keep])
        p = lr.predict_proba(xte)
        record("sklearn_lr_on_lexel", list(lr.classes_[p.argmax(1)]), p[:, [list(lr.classes_).index(n) for n in names]])

        for head in ("linear", "mlp"):
            prefix = os.path.join(args.work, f"heads-{name}-{head}")
            subprocess.run([args.lexel, "supervised", "-input", train, "-output", prefix, "--features", "lexical", "--head", head,
                            "-thread", str(args.threads), "-verbose", "0"], check=True)
            top, probs = lexel_scores(args.lexel, prefix + ".lxm", test, names)
            record(f"lexel_{head}", top, probs)

        def cell(k):
            r = res[k]
            return f"{r['p1']:.3f}" + (f" (AUC {r['auc']:.4f})" if r["auc"] is not None else "")
        print(f"| {name} | {cell('fasttext')} | {cell('tfidf_lr')} | {cell('sklearn_lr_on_lexel')} | {cell('lexel_linear')} | {cell('lexel_mlp')} |",
              flush=True)
        rows.append({"set": name, "labels": len(names), **res})
    lt.write_json(os.path.join(args.work, "heads.json"), {"machine": lt.machine_info(), "rows": rows})


if __name__ == "__main__":
    main()
