"""The gensim side of tools/bench_store.py: one measurement per fresh process (`bench_store.py --child TASK JSON`),
one JSON line on stdout."""
import json
import os
import resource
import time
from pathlib import Path


def _vmrss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def _evict(paths):
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def pct(xs, p):
    if not xs:
        return None
    s = sorted(xs)
    pos = p / 100 * (len(s) - 1)
    lo = int(pos)
    hi = min(len(s) - 1, lo + 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def stats(us):
    return {"n": len(us), "p50_us": pct(us, 50), "p90_us": pct(us, 90), "p99_us": pct(us, 99),
            "mean_us": (sum(us) / len(us)) if us else None}


def kv_files(kv_path):
    """A gensim native .kv file and the NAME.*.npy arrays kv.save(sep_limit=0) wrote beside it (not NAME.json)."""
    d = Path(kv_path).parent
    name = Path(kv_path).name
    return [str(p) for p in sorted(d.iterdir())
            if p.name == name or (p.name.startswith(name + ".") and p.name.endswith(".npy"))]


def child_main(task, p):
    t_imp = time.perf_counter()
    import numpy as np
    from gensim.models import KeyedVectors
    from gensim.models.fasttext import load_facebook_vectors
    import_s = time.perf_counter() - t_imp
    out = {"task": task, "import_s": import_s}
    rss0 = _vmrss_kb()
    if task == "load_text":
        # KeyedVectors.load_word2vec_format (text or binary) / load_facebook_vectors, then the first lookup
        t0 = time.perf_counter()
        if p.get("facebook"):
            kv = load_facebook_vectors(p["path"])
        else:
            kv = KeyedVectors.load_word2vec_format(p["path"], binary=p.get("binary", False))
        t1 = time.perf_counter()
        v = np.array(kv[p["word"]])
        t2 = time.perf_counter()
        out.update(load_s=t1 - t0, first_lookup_ms=(t2 - t1) * 1e3, count=len(kv.index_to_key),
                   rss_before_kb=rss0, rss_after_kb=_vmrss_kb(), v0=float(v[0]))
    elif task == "open":
        # KeyedVectors.load(kv, mmap='r') after evicting its files (disk-cold) or not, then the first lookup
        files = kv_files(p["kv"])
        if p.get("evict"):
            _evict(files)
        t0 = time.perf_counter()
        kv = KeyedVectors.load(p["kv"], mmap="r")
        t1 = time.perf_counter()
        rss1 = _vmrss_kb()
        v = np.array(kv[p["word"]])
        t2 = time.perf_counter()
        out.update(open_ms=(t1 - t0) * 1e3, first_lookup_ms=(t2 - t1) * 1e3, total_ms=(t2 - t0) * 1e3,
                   rss_before_kb=rss0, rss_open_kb=rss1, rss_lookup_kb=_vmrss_kb(), disk_cold=bool(p.get("evict")),
                   v0=float(v[0]))
    elif task == "lookups":
        # kv[w] per word in one mmap-loaded KeyedVectors (each word once); OOV: KeyError or FastText n-grams
        kv = KeyedVectors.load(p["kv"], mmap="r")
        files = kv_files(p["kv"])
        words = [w for w in Path(p["words"]).read_text().split("\n") if w][: p["limit"]]
        oov = [w for w in Path(p["oov"]).read_text().split("\n") if w][: p["limit"]]
        sink = 0.0

        def run(lst, evict):
            nonlocal sink
            times, errors = [], 0
            for w in lst:
                if evict:
                    _evict(files)
                t0 = time.perf_counter()
                try:
                    v = np.array(kv[w])
                    sink += float(v[0])
                except KeyError:
                    errors += 1
                times.append((time.perf_counter() - t0) * 1e6)
            return times, errors

        # disk-cold first, on words this process has not touched yet (pages it maps cannot be evicted)
        cinv, _ = run(words[: p["cold"]], True)
        coov, _ = run(oov[: p["cold"]], True)
        inv, e1 = run(words, False)
        oo, e2 = run(oov, False)
        out.update(warm_inv=stats(inv), warm_oov=stats(oo), cold_inv=stats(cinv), cold_oov=stats(coov),
                   inv_keyerrors=e1, oov_keyerrors=e2, oov_behaviour="KeyError" if e2 == len(oov) else "vector",
                   sink=sink)
    elif task == "search":
        # most_similar per query (after a warm-up pass over the same queries), and a numpy batch
        kv = KeyedVectors.load(p["kv"], mmap="r")
        rows = p["rows"]
        keys = [kv.index_to_key[r] for r in rows]
        t0 = time.perf_counter()
        kv.most_similar(keys[0], topn=p["k"])  # fills norms
        first_s = time.perf_counter() - t0
        for w in keys:
            kv.most_similar(w, topn=p["k"])
        ms, tops = [], []
        for w in keys:
            t = time.perf_counter()
            r = kv.most_similar(w, topn=p["k"])
            ms.append((time.perf_counter() - t) * 1e3)
            tops.append([kv.key_to_index[x] for x, _ in r])
        # batched: one matrix product for all queries (numpy/BLAS; gensim has no batched most_similar)
        q = np.stack([kv.vectors[r] / kv.norms[r] for r in rows]).astype(np.float32)
        t = time.perf_counter()
        s = (kv.vectors @ q.T) / kv.norms[:, None]
        for j, r in enumerate(rows):
            s[r, j] = -np.inf
        top = np.argpartition(-s, p["k"], axis=0)[: p["k"]]
        batch_ms = (time.perf_counter() - t) * 1e3 / len(rows)
        out.update(first_most_similar_s=first_s, ms_p50=pct(ms, 50), ms_mean=sum(ms) / len(ms),
                   batched_ms_per_query=batch_ms, tops=tops, rss_kb=_vmrss_kb(), batch_top0=top[:, 0].tolist())
    elif task == "ws353":
        kv = KeyedVectors.load_word2vec_format(p["path"], binary=False)
        pearson, spearman, oov_ratio = kv.evaluate_word_pairs(p["pairs"])
        out.update(spearman=float(spearman[0]), oov_ratio=oov_ratio)
    else:
        raise SystemExit(f"unknown child task {task}")
    out["self_ru_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out), flush=True)

