"""Child mode of tools/bench_words.py: trains one peer model in this (fresh) process, writes its .vec and prints
one `BENCH_RESULT {json}` line."""
import json
import time


def child_main(tool, spec):
    s = json.loads(spec)
    model, subwords, c = s["model"], s["subwords"], s["common"]
    if tool == "fasttext":
        import fasttext
        import numpy as np
        t0 = time.perf_counter()
        m = fasttext.train_unsupervised(
            input=s["input"], model=model, lr=0.05, dim=c["dim"], ws=c["ws"], epoch=c["epoch"],
            minCount=c["min_count"], neg=c["neg"], loss="ns", bucket=c["bucket"],
            minn=c["minn"], maxn=c["maxn"] if subwords else 0, thread=c["threads"], t=c["t"],
            verbose=0)  # the fasttext 0.9.3 Python API takes no seed (C++ default seed 0)
        train_wall = time.perf_counter() - t0
        words = m.get_words()  # frequency order, includes </s>
        t1 = time.perf_counter()
        with open(s["vec"], "w", encoding="utf-8") as f:
            f.write(f"{len(words)} {m.get_dimension()}\n")
            for w in words:
                v = np.asarray(m.get_word_vector(w), dtype=np.float32)
                f.write(w + " " + " ".join(f"{x:.6g}" for x in v.tolist()) + "\n")
        save_wall = time.perf_counter() - t1
        out = dict(train_wall=train_wall, save_wall=save_wall, vocab=len(words),
                   version=dist_version("fasttext") or dist_version("fasttext-wheel"))
    elif tool == "gensim":
        import gensim
        from gensim.models import FastText, Word2Vec
        kw = dict(corpus_file=s["input"], vector_size=c["dim"], window=c["ws"], negative=c["neg"], hs=0,
                  epochs=c["epoch"], min_count=c["min_count"], workers=c["threads"], sample=c["t"],
                  seed=c["seed"], sg=1 if model == "skipgram" else 0)  # alpha: gensim default 0.025
        t0 = time.perf_counter()
        if subwords:
            m = FastText(min_n=c["minn"], max_n=c["maxn"], bucket=c["bucket"], **kw)
        else:
            m = Word2Vec(**kw)
        train_wall = time.perf_counter() - t0
        t1 = time.perf_counter()
        m.wv.save_word2vec_format(s["vec"])
        save_wall = time.perf_counter() - t1
        out = dict(train_wall=train_wall, save_wall=save_wall, vocab=len(m.wv.index_to_key),
                   version=gensim.__version__, alpha=m.alpha)
    else:
        raise SystemExit(f"unknown child tool {tool}")
    print("BENCH_RESULT " + json.dumps(out), flush=True)



def dist_version(name):
    try:
        import importlib.metadata as md
        return md.version(name)
    except Exception:
        return None
