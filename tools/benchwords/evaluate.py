"""The one evaluator (numpy) used for every tool's .vec in tools/bench_words.py, and its cross-check against gensim."""


def load_vec(path):
    import numpy as np
    with open(path, encoding="utf-8", errors="replace") as f:
        n, d = map(int, f.readline().split())
        words, rows = [], []
        for line in f:
            parts = line.rstrip("\n").rstrip(" ").split(" ")
            if len(parts) != d + 1:
                continue
            words.append(parts[0])
            rows.append(parts[1:])
    mat = np.array(rows, dtype=np.float32)
    return words, mat


def evaluate(vec_path, ws_path, an_path, restrict=30000):
    import numpy as np
    from scipy.stats import spearmanr
    words, mat = load_vec(vec_path)
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit = mat / norms
    index = {}
    for i, w in enumerate(words):
        index.setdefault(w.lower(), i)  # first (most frequent) wins

    # WordSim353: Spearman rho over pairs with both words known; OOV pairs skipped and counted.
    human, model, oov = [], [], 0
    for line in open(ws_path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        a, b, score = line.rstrip("\n").split("\t")[:3]
        a, b = a.lower(), b.lower()
        if a not in index or b not in index:
            oov += 1
            continue
        human.append(float(score))
        model.append(float(unit[index[a]] @ unit[index[b]]))
    rho = float(spearmanr(human, model).correlation) if len(human) > 1 else float("nan")

    # Analogies, 3CosAdd over the `restrict` most frequent words (order of the .vec file).
    r = min(restrict, len(words))
    sub = unit[:r]
    rindex = {}
    for i in range(r):
        rindex.setdefault(words[i].lower(), i)
    qs, sections, total, skipped = [], [], 0, 0
    section = None
    for line in open(an_path, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        if line.startswith(":"):
            section = line[1:].strip()
            continue
        total += 1
        ws4 = line.lower().split()
        if len(ws4) != 4 or any(w not in rindex for w in ws4):
            skipped += 1
            continue
        qs.append([rindex[w] for w in ws4])
        sections.append(section)
    correct = []
    if qs:
        q = np.array(qs, dtype=np.int64)
        for s0 in range(0, len(q), 2048):
            blk = q[s0:s0 + 2048]
            target = sub[blk[:, 1]] - sub[blk[:, 0]] + sub[blk[:, 2]]
            sims = target @ sub.T
            rows_ = np.arange(len(blk))
            for j in range(3):
                sims[rows_, blk[:, j]] = -np.inf
            pred = sims.argmax(axis=1)
            correct.extend((pred == blk[:, 3]).tolist())
    answered = len(correct)
    sem = [c for c, s in zip(correct, sections) if not s.startswith("gram")]
    syn = [c for c, s in zip(correct, sections) if s.startswith("gram")]
    pct = lambda xs: 100.0 * sum(xs) / len(xs) if xs else float("nan")
    return dict(ws353_rho=rho, ws353_pairs=len(human), ws353_oov_pairs=oov,
                analogy_acc=pct(correct), analogy_answered=answered, analogy_total=total,
                analogy_skipped=skipped, analogy_sem_acc=pct(sem), analogy_sem_answered=len(sem),
                analogy_syn_acc=pct(syn), analogy_syn_answered=len(syn), vocab=len(words),
                restrict_vocab=r)


def gensim_cross_check(vec_path, ws_path, an_path, ours):
    from gensim.models import KeyedVectors
    kv = KeyedVectors.load_word2vec_format(vec_path)
    pear, spear, oov_ratio = kv.evaluate_word_pairs(ws_path)
    acc, secs = kv.evaluate_word_analogies(an_path, restrict_vocab=30000)
    tot = [s for s in secs if s["section"] == "Total accuracy"][0]
    g_answered = len(tot["correct"]) + len(tot["incorrect"])
    res = dict(gensim_ws353_rho=float(spear[0]), gensim_ws353_oov_ratio_pct=float(oov_ratio),
               gensim_analogy_acc=100.0 * float(acc), gensim_analogy_answered=g_answered,
               ours_ws353_rho=ours["ws353_rho"], ours_analogy_acc=ours["analogy_acc"],
               ours_analogy_answered=ours["analogy_answered"])
    res["agree"] = (abs(res["gensim_ws353_rho"] - ours["ws353_rho"]) < 1e-3
                    and abs(res["gensim_analogy_acc"] - ours["analogy_acc"]) < 0.1
                    and g_answered == ours["analogy_answered"])
    return res
