#!/usr/bin/env python3
"""Vector store side by side (issue #3): Lexel `.lxv` files (StoreBench + the lexel CLI) against gensim KeyedVectors.

Run with the peers venv (tools/peers/setup_venv.sh):

    tools/.venv/bin/python tools/bench_store.py [--workdir /tmp/lexel-bench-store] [--repeats 3]
                                                 [--skip-synthetic] [--quick]

Prepares inputs under --workdir (cached: trained vectors, the fastText model, the synthetic matrix and every
converted file are reused when present), runs Lexel and gensim alternately in fresh processes, takes medians over
--repeats, writes Benchmarks/results/store-DATE.json and replaces the `## Vector store: side by side` section of
Benchmarks/README.md (--quick writes store-quick-DATE.json and leaves the README alone unless --readme).

Inputs:
  a. words-en (../shared/data/corpus/words-en.txt.zst) trained by `lexel skipgram -thread 2`, without subwords
     (-maxn 0) and with them (minn 3 maxn 6), converted to .lxv f32 / f16 / int8.
  b. a fastText .bin trained with the `fasttext` package on every 5th line of words-en (dim 100, 3 epochs).
  c. a synthetic clustered 1M x 300 matrix (numpy, seeded), word2vec binary, converted to .lxv f32 (+ HNSW).
"""
from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import random
import re
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = (ROOT / ".." / "shared" / "data").resolve()
CORPUS = DATA / "corpus" / "words-en.txt.zst"
WS353 = DATA / "eval" / "wordsim353.tsv"
README = ROOT / "Benchmarks" / "README.md"
RESULTS = ROOT / "Benchmarks" / "results"
SECTION = "## Vector store: side by side"
SEED = 20261122
PEER_ENV = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}

# Acceptance targets of issue #3.
TARGETS = {
    "open_first_lookup_ms": 5.0,
    "rss_after_open_mb": 10.0,
    "oov_p50_us_no_subwords": 1000.0,
    "oov_p50_us_subwords": 50.0,
    "int8_size_ratio": 0.3,
    "int8_ws353_delta": 0.01,
    "scan_bandwidth_fraction": 0.70,
    "hnsw_recall": 0.95,
    "hnsw_speedup": 10.0,
}

# Magnitude's own figures (README of plasticityai/magnitude, "Benchmarks and Features", Magnitude Light,
# GoogleNews-vectors-negative300 = 3M x 300, MacBook Pro mid-2014, SSD). Cited, not measured here.
MAGNITUDE_CITED = {
    "source": "https://github.com/plasticityai/magnitude README, table 'Benchmarks and Features' (Magnitude Light, "
              "GoogleNews 3M x 300, MacBook Pro 2014 i7 2.2 GHz, SSD)",
    "initial_load_s": 0.7210,
    "cold_single_key_s": 0.0001,
    "warm_single_key_s": 0.00004,
    "first_most_similar_worst_s": 247.05,
    "first_most_similar_with_disk_cache_s": 1.8217,
    "subsequent_most_similar_s": 0.2434,
    "most_similar_approx_effort_1_s": 0.1873,
    "most_similar_approx_effort_0.1_s": 0.0199,
    "file_size_gb": 4.21,
    "ram_after_load_kb": 18,
    "ram_after_100_queries_kb": 168,
}


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------------------
# gensim child tasks (run as `bench_store.py --child TASK JSON` in a fresh process)
# ----------------------------------------------------------------------------------------------------------------

def _vmrss_kb() -> int:
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


def _pct(xs, p):
    if not xs:
        return None
    s = sorted(xs)
    pos = p / 100 * (len(s) - 1)
    lo = int(pos)
    hi = min(len(s) - 1, lo + 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _stats(us):
    return {"n": len(us), "p50_us": _pct(us, 50), "p90_us": _pct(us, 90), "p99_us": _pct(us, 99),
            "mean_us": (sum(us) / len(us)) if us else None}


def _kv_files(kv_path):
    d = Path(kv_path).parent
    name = Path(kv_path).name
    return [str(p) for p in sorted(d.iterdir()) if p.name == name or p.name.startswith(name + ".")]


def child_main(task: str, p: dict):
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
        files = _kv_files(p["kv"])
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
        files = _kv_files(p["kv"])
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
        out.update(warm_inv=_stats(inv), warm_oov=_stats(oo), cold_inv=_stats(cinv), cold_oov=_stats(coov),
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
        out.update(first_most_similar_s=first_s, ms_p50=_pct(ms, 50), ms_mean=sum(ms) / len(ms),
                   batched_ms_per_query=batch_ms, tops=tops, rss_kb=_vmrss_kb(), batch_top0=top[:, 0].tolist())
    elif task == "ws353":
        kv = KeyedVectors.load_word2vec_format(p["path"], binary=False)
        pearson, spearman, oov_ratio = kv.evaluate_word_pairs(p["pairs"])
        out.update(spearman=float(spearman[0]), oov_ratio=oov_ratio)
    else:
        raise SystemExit(f"unknown child task {task}")
    out["self_ru_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out), flush=True)


# ----------------------------------------------------------------------------------------------------------------
# process running
# ----------------------------------------------------------------------------------------------------------------

def run_peak(cmd, env_extra=None, stdin_text=None):
    """Runs a command, returning (stdout, wall s, peak RSS kB). Peak RSS comes from GNU time (%M) wrapped around the
    command: os.wait4 on a child forked from this Python process would report at least the parent's RSS at fork."""
    env = dict(os.environ)
    if env_extra:
        env.update(env_extra)
    tag = f"/tmp/bench_store_{os.getpid()}"
    if stdin_text is not None:
        Path(tag + ".in").write_text(stdin_text)
    t0 = time.perf_counter()
    with open(tag + ".in" if stdin_text is not None else os.devnull, "rb") as fin, open(tag + ".out", "wb") as fout, \
            open(tag + ".err", "wb") as ferr:
        rc = subprocess.call(["/usr/bin/time", "-f", "%M", "-o", tag + ".rss", *map(str, cmd)], stdin=fin,
                             stdout=fout, stderr=ferr, env=env)
    wall = time.perf_counter() - t0
    out = Path(tag + ".out").read_text()
    if rc != 0:
        err = Path(tag + ".err").read_text()
        raise RuntimeError(f"command failed ({rc}): {shlex.join(map(str, cmd))}\n{err[-3000:]}")
    peak = int(Path(tag + ".rss").read_text().split()[-1])
    return out, wall, peak


def json_of(text):
    lines = [l for l in text.strip().split("\n") if l.startswith("{")]
    return json.loads(lines[-1])


def gensim_child(task, params):
    out, wall, peak = run_peak([sys.executable, __file__, "--child", task, json.dumps(params)], PEER_ENV)
    r = json_of(out)
    r["wall_s"] = wall
    r["child_peak_rss_kb"] = peak
    return r


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ----------------------------------------------------------------------------------------------------------------
# the benchmark
# ----------------------------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, a):
        self.a = a
        self.quick = a.quick
        self.work = Path(a.workdir) / ("quick" if a.quick else "")
        self.work.mkdir(parents=True, exist_ok=True)
        # a snapshot of the lexel binary, so that a rebuild in .build during the run cannot change it
        src = Path(a.lexel)
        self.lexel = self.work / "lexel"
        import shutil
        shutil.copy2(src, self.lexel)
        self.lexel_mtime = time.strftime("%Y-%m-%d %H:%M", time.localtime(src.stat().st_mtime))
        self.sb = Path(a.storebench)
        self.repeats = a.repeats
        self.prep_path = self.work / "prep.json"
        self.prep = json.loads(self.prep_path.read_text()) if self.prep_path.exists() else {}
        self.res = {"magnitude_cited": MAGNITUDE_CITED, "targets": TARGETS}

    def save_prep(self):
        self.prep_path.write_text(json.dumps(self.prep, indent=1))

    def w(self, name) -> Path:
        return self.work / name

    # --- running Lexel ---------------------------------------------------------------------------------------
    def lexel_cmd(self, *args, stdin_text=None):
        out, wall, peak = run_peak([str(self.lexel), *map(str, args)], stdin_text=stdin_text)
        return out, wall, peak

    def storebench(self, *args):
        out, wall, peak = run_peak([str(self.sb), *map(str, args)])
        r = json_of(out)
        r["wall_s"] = wall
        r["child_peak_rss_kb"] = peak
        return r

    # --- inputs ----------------------------------------------------------------------------------------------
    def corpus(self) -> Path:
        if not self.quick:
            return CORPUS
        p = self.w("words-quick.txt")
        if not p.exists():
            import zstandard
            with open(CORPUS, "rb") as f, open(p, "w") as o:
                r = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(f), encoding="utf-8")
                for i, line in enumerate(r):
                    if i >= 30000:
                        break
                    o.write(line)
        return p

    def train_lexel(self, name, extra):
        bin_, vec = self.w(name + ".bin"), self.w(name + ".vec")
        if bin_.exists() and vec.exists():
            log(f"reusing {bin_}")
            return bin_, vec
        cmd = [str(self.lexel), "skipgram", "-input", str(self.corpus()), "-output", str(self.w(name + ".tmp")),
               "-thread", "2", "-verbose", "1", *extra]
        if self.quick:
            cmd += ["-epoch", "1"]
        log("training:", shlex.join(cmd))
        t0 = time.time()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        os.replace(self.w(name + ".tmp.bin"), bin_)
        os.replace(self.w(name + ".tmp.vec"), vec)
        self.prep[f"train_{name}"] = {"cmd": shlex.join(cmd), "wall_s": time.time() - t0}
        self.save_prep()
        return bin_, vec

    def convert(self, src, dst, *opts):
        dst = Path(dst)
        key = f"convert_{dst.name}"
        if dst.exists() and key in self.prep:
            return dst
        cmd = [str(self.lexel), "convert", str(src), str(dst), *map(str, opts)]
        log("convert:", shlex.join(cmd))
        _, wall, peak = run_peak(cmd)
        self.prep[key] = {"cmd": shlex.join(cmd), "wall_s": wall, "peak_rss_kb": peak}
        self.save_prep()
        return dst

    def index(self, src, dst, *opts):
        dst = Path(dst)
        key = f"index_{dst.name}"
        if dst.exists() and key in self.prep:
            return dst
        cmd = [str(self.lexel), "index", str(src), "--output", str(dst), "--verbose", "1", *map(str, opts)]
        log("index:", shlex.join(cmd))
        _, wall, peak = run_peak(cmd)
        self.prep[key] = {"cmd": shlex.join(cmd), "wall_s": wall, "peak_rss_kb": peak}
        self.save_prep()
        return dst

    def gensim_native(self, src, kv, how):
        """Saves a gensim native .kv (numpy arrays as separate .npy files, so that mmap='r' works)."""
        kv = Path(kv)
        key = f"kv_{kv.name}"
        if kv.exists() and key in self.prep:
            return kv
        code = (
            "import sys\n"
            "from gensim.models import KeyedVectors\n"
            "from gensim.models.fasttext import load_facebook_vectors\n"
            f"how = {how!r}\n"
            f"src = {str(src)!r}\n"
            "kv = load_facebook_vectors(src) if how == 'facebook' else "
            "KeyedVectors.load_word2vec_format(src, binary=(how == 'binary'))\n"
            f"kv.save({str(kv)!r}, sep_limit=0)\n")
        log("gensim save:", kv.name)
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, **PEER_ENV})
        self.prep[key] = {"from": str(src), "how": how}
        self.save_prep()
        return kv

    def vocab_of_vec(self, vec) -> list[str]:
        words = []
        with open(vec, "rb") as f:
            f.readline()
            for line in f:
                words.append(line.split(b" ", 1)[0].decode("utf-8"))
        return words

    def word_lists(self, name, vocab, n, synthetic=False):
        """In-vocabulary words sampled uniformly over rows, and misspellings of sampled words that are not keys."""
        wp, op = self.w(f"{name}-words.txt"), self.w(f"{name}-oov.txt")
        if wp.exists() and op.exists():
            return wp, op
        rng = random.Random(SEED)
        vs = set(vocab)
        words = [vocab[rng.randrange(len(vocab))] for _ in range(n)]
        letters = "abcdefghijklmnopqrstuvwxyz"
        oov = []
        tries = 0
        while len(oov) < n and tries < 100 * n:
            tries += 1
            w = vocab[rng.randrange(min(len(vocab), 50000))]
            if synthetic:
                cand = w + rng.choice(letters)
            else:
                if len(w) < 4:
                    continue
                i = rng.randrange(len(w))
                op_ = rng.randrange(4)
                if op_ == 0:
                    cand = w[:i] + w[i + 1:]
                elif op_ == 1 and i < len(w) - 1:
                    cand = w[:i] + w[i + 1] + w[i] + w[i + 2:]
                elif op_ == 2:
                    cand = w[:i] + rng.choice(letters) + w[i + 1:]
                else:
                    cand = w[:i] + rng.choice(letters) + w[i:]
            if cand not in vs and cand not in oov:
                oov.append(cand)
        wp.write_text("\n".join(words) + "\n")
        op.write_text("\n".join(oov) + "\n")
        return wp, op

    def train_fasttext(self):
        bin_, vec = self.w("ft.bin"), self.w("ft.vec")
        if bin_.exists() and vec.exists() and "train_ft" in self.prep:
            return bin_, vec
        import fasttext
        import zstandard
        slice_ = self.w("ft-slice.txt")
        lines = 0
        with open(CORPUS, "rb") as f, open(slice_, "w") as o:
            r = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(f), encoding="utf-8")
            for i, line in enumerate(r):
                if i % 5 == 0:
                    o.write(line)
                    lines += 1
                if self.quick and lines >= 8000:
                    break
        params = dict(model="skipgram", dim=100, epoch=1 if self.quick else 3, minCount=5, thread=2, minn=3, maxn=6,
                      bucket=200000 if self.quick else 2000000, verbose=0)
        log("fasttext train_unsupervised", params, "on", lines, "lines")
        t0 = time.time()
        m = fasttext.train_unsupervised(str(slice_), **params)
        train_s = time.time() - t0
        m.save_model(str(bin_))
        words = m.words
        with open(vec, "w") as o:
            o.write(f"{len(words)} {m.get_dimension()}\n")
            for w in words:
                o.write(w + " " + " ".join(f"{x:.6g}" for x in m.get_word_vector(w)) + "\n")
        self.prep["train_ft"] = {"params": params, "lines": lines, "train_s": train_s,
                                 "slice": "every 5th line of words-en" + (" (first 8000 of them)" if self.quick else "")}
        self.save_prep()
        return bin_, vec

    def synthetic(self, n, dim=300):
        name = f"synth-{n // 1000}k"
        p = self.w(name + ".bin")
        if p.exists() and f"synth_{name}" in self.prep:
            return p, name
        import numpy as np
        log(f"generating {n} x {dim} clustered vectors")
        t0 = time.time()
        rng = np.random.default_rng(SEED)
        centers = rng.standard_normal((1000, dim)).astype(np.float32)
        basis = rng.standard_normal((32, dim)).astype(np.float32)
        tmp = p.with_suffix(".tmp")
        chunk = 50000
        with open(tmp, "wb") as f:
            f.write(f"{n} {dim}\n".encode())
            for s in range(0, n, chunk):
                m = min(chunk, n - s)
                a = rng.integers(0, 1000, m)
                x = centers[a] + 0.061 * (rng.standard_normal((m, 32)).astype(np.float32) @ basis) \
                    + 0.1 * rng.standard_normal((m, dim)).astype(np.float32)
                x = x.astype("<f4")
                f.write(b"".join(b"w%d " % (s + i) + x[i].tobytes() + b"\n" for i in range(m)))
        os.replace(tmp, p)
        self.prep[f"synth_{name}"] = {
            "rows": n, "dim": dim, "seed": SEED, "gen_s": time.time() - t0,
            "recipe": "1000 centres N(0, I); row = centre[uniform] + 0.061 x (N(0, I_32) @ B), B ~ N(0,1) 32x300 "
                      "(rank-32 noise, norm ~6) + N(0, 0.1^2 I); keys w0..w{n-1}; word2vec binary"}
        self.save_prep()
        return p, name

    # --- measurement groups ----------------------------------------------------------------------------------
    def memory(self):
        mib = 256 if self.quick else 2048
        r = self.storebench("memory", "--threads", 2, "--mib", mib)
        self.res.setdefault("memory", []).append(r)
        log(f"memory: read {r['read_gbps']:.1f} GB/s, triad {r['triad_gbps']:.1f} GB/s")
        return r

    def open_pair(self, name, lxv, kv, word):
        """Disk-cold then warm open -> first lookup, Lexel and gensim alternating, repeats."""
        rec = self.res.setdefault("open", {}).setdefault(name, {"lexel_cold": [], "lexel_warm": [],
                                                                "gensim_cold": [], "gensim_warm": [],
                                                                "file": str(lxv), "kv": str(kv), "word": word})
        for r in range(self.repeats):
            def lex():
                rec["lexel_cold"].append(self.storebench("open", lxv, "--word", word, "--evict"))
                rec["lexel_warm"].append(self.storebench("open", lxv, "--word", word))

            def gen():
                if kv is None:
                    return
                rec["gensim_cold"].append(gensim_child("open", {"kv": str(kv), "word": word, "evict": True}))
                rec["gensim_warm"].append(gensim_child("open", {"kv": str(kv), "word": word, "evict": False}))
            for f in ((lex, gen) if r % 2 == 0 else (gen, lex)):
                f()
        lc = median([x["total_ms"] for x in rec["lexel_cold"]])
        gc = median([x["total_ms"] for x in rec["gensim_cold"]])
        log(f"open {name}: lexel cold {lc:.2f} ms; gensim mmap cold {gc if gc is None else round(gc, 1)} ms")

    def load_text(self, name, path, word, binary=False, facebook=False):
        rec = self.res.setdefault("load_text", {}).setdefault(name, {"path": str(path), "gensim": []})
        for _ in range(self.repeats):
            rec["gensim"].append(gensim_child("load_text", {"path": str(path), "word": word, "binary": binary,
                                                            "facebook": facebook}))
        log(f"gensim load {name}: {median([x['load_s'] for x in rec['gensim']]):.2f} s")

    def lookups(self, name, lxv, kv, words, oov, limit, cold):
        rec = self.res.setdefault("lookups", {}).setdefault(name, {"lexel": [], "gensim": [], "file": str(lxv)})
        for r in range(self.repeats):
            def lex():
                rec["lexel"].append(self.storebench("lookups", lxv, "--words", words, "--oov", oov,
                                                    "--limit", limit, "--cold", cold))

            def gen():
                if kv is not None:
                    rec["gensim"].append(gensim_child("lookups", {"kv": str(kv), "words": str(words), "oov": str(oov),
                                                                  "limit": limit, "cold": cold}))
            for f in ((lex, gen) if r % 2 == 0 else (gen, lex)):
                f()
        lx = rec["lexel"]
        log(f"lookups {name}: lexel inv p50 {median([x['warm_inv']['p50_us'] for x in lx]):.1f} us, "
            f"oov p50 {median([x['warm_oov']['p50_us'] for x in lx]):.1f} us, "
            f"cold oov p50 {median([x['cold_oov']['p50_us'] for x in lx]):.1f} us")

    def search(self, name, lxv, kv, nq, gensim=True, repeats=None):
        rec = self.res.setdefault("search", {}).setdefault(name, {"lexel": [], "gensim": [], "file": str(lxv)})
        rows_file = self.w(f"{name}-query-rows.txt")
        for r in range(repeats or self.repeats):
            def lex():
                x = self.storebench("search", lxv, "--queries", nq, "--k", 10, "--threads", 2, "--dump")
                rows_file.write_text("\n".join(map(str, x["rows"])) + "\n")
                rec["lexel"].append(x)

            def gen():
                if kv is None or not gensim:
                    return
                if not rec["lexel"]:
                    lex()
                rows = [int(x) for x in rows_file.read_text().split()]
                g = gensim_child("search", {"kv": str(kv), "rows": rows, "k": 10})
                ex = rec["lexel"][-1]["exact_rows"]
                g["overlap_with_lexel_exact"] = sum(len(set(a) & set(b)) for a, b in zip(g["tops"], ex)) / (10 * len(ex))
                del g["tops"]
                rec["gensim"].append(g)
            for f in ((lex, gen) if r % 2 == 0 else (gen, lex)):
                f()
        for x in rec["lexel"]:
            x.pop("exact_rows", None)
        lx = rec["lexel"]
        log(f"search {name}: lexel exact p50 {median([x['exact_ms_p50'] for x in lx]):.2f} ms, "
            f"{median([x['scan_gbps_p50'] for x in lx]):.1f} GB/s"
            + (f"; gensim {median([x['ms_p50'] for x in rec['gensim']]):.2f} ms" if rec["gensim"] else ""))

    def cli(self, name, lxv, words_file, n=20, ann=False):
        words = [w for w in Path(words_file).read_text().split("\n") if w][:n]
        rec = self.res.setdefault("cli", {}).setdefault(name + ("-ann" if ann else ""), [])
        for _ in range(self.repeats):
            args = ["query", lxv, "--most-similar", 10, "--threads", 2] + (["--ann", "--ef", 64] if ann else [])
            out, wall, peak = self.lexel_cmd(*args, stdin_text="\n".join(words) + "\n")
            rec.append({"cmd": shlex.join(map(str, [self.lexel, *args])) + f" < {n} words", "wall_s": wall,
                        "queries": n, "peak_rss_kb": peak, "lines": len(out.splitlines())})

    def ws353(self, name, lxv, vocab):
        from scipy.stats import spearmanr
        pairs = []
        for line in WS353.read_text().splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            a, b, s = line.split("\t")[:3]
            pairs.append((a.lower(), b.lower(), float(s)))
        out, wall, _ = self.lexel_cmd("query", lxv, "--similarity", stdin_text="".join(f"{a} {b}\n" for a, b, _ in pairs))
        sims = [float(x) for x in out.split()]
        assert len(sims) == len(pairs), (len(sims), len(pairs))
        vs = set(vocab)
        inv = [i for i, (a, b, _) in enumerate(pairs) if a in vs and b in vs]
        rho_all = float(spearmanr([p[2] for p in pairs], sims).correlation)
        rho_inv = float(spearmanr([pairs[i][2] for i in inv], [sims[i] for i in inv]).correlation)
        r = {"file": str(lxv), "pairs": len(pairs), "in_vocab_pairs": len(inv), "spearman_in_vocab": rho_inv,
             "spearman_all_with_oov_vectors": rho_all}
        self.res.setdefault("ws353", {})[name] = r
        log(f"ws353 {name}: {rho_inv:.4f} ({len(inv)} pairs), all {rho_all:.4f}")
        return r

    # --- the whole run ---------------------------------------------------------------------------------------
    def run(self):
        a = self.a
        t_start = time.time()
        self.res["meta"] = self.meta()
        self.memory()

        # a. words-en trained by Lexel, without and with subwords
        sg_bin, sg_vec = self.train_lexel("words-sg", ["-maxn", "0"])
        sub_bin, sub_vec = self.train_lexel("words-sgsub", [])
        lx = {}
        for dt in ("f32", "f16", "int8"):
            lx[dt] = self.convert(sg_bin, self.w(f"words-sg-{dt}.lxv"), "--dtype", dt)
        lx["sub-f32"] = self.convert(sub_bin, self.w("words-sgsub-f32.lxv"), "--dtype", "f32")
        lx["sub-int8"] = self.convert(sub_bin, self.w("words-sgsub-int8.lxv"), "--dtype", "int8")
        lx["hnsw"] = self.index(lx["f32"], self.w("words-sg-f32-hnsw.lxv"))
        vocab = self.vocab_of_vec(sg_vec)
        sub_vocab = self.vocab_of_vec(sub_vec)
        kv_sg = self.gensim_native(sg_vec, self.w("words-sg.kv"), "text")
        kv_sub = self.gensim_native(sub_vec, self.w("words-sgsub.kv"), "text")
        words, oov = self.word_lists("words-sg", vocab, 300 if self.quick else 1000)
        swords, soov = self.word_lists("words-sgsub", sub_vocab, 300 if self.quick else 1000)

        # b. fastText .bin
        ft_bin, ft_vec = self.train_fasttext()
        lx["ft"] = self.convert(ft_bin, self.w("ft-f32.lxv"), "--dtype", "f32")
        kv_ft = self.gensim_native(ft_bin, self.w("ft.kv"), "facebook")
        ft_vocab = self.vocab_of_vec(ft_vec)
        fwords, foov = self.word_lists("ft", ft_vocab, 300 if self.quick else 1000)

        # c. synthetic
        synth = None
        if not a.skip_synthetic:
            n = 20000 if self.quick else 1000000
            sbin, sname = self.synthetic(n)
            slxv = self.convert(sbin, self.w(f"{sname}-f32.lxv"), "--dtype", "f32")
            kv_syn = self.gensim_native(sbin, self.w(f"{sname}.kv"), "binary")
            swl, sol = self.word_lists(sname, [f"w{i}" for i in range(n)], 300 if self.quick else 500, synthetic=True)
            synth = {"name": sname, "bin": sbin, "lxv": slxv, "kv": kv_syn, "n": n, "words": swl, "oov": sol}
            synth["hnsw"], synth["hnsw_rows"], synth["hnsw_note"] = self.synthetic_index(sbin, slxv, sname, n)

        self.res["files"] = self.file_sizes(sg_bin, sg_vec, sub_bin, sub_vec, ft_bin, ft_vec, lx, synth,
                                            kv_sg, kv_sub, kv_ft)
        self.res["prep"] = self.prep
        self.ws353("words-sg-f32", lx["f32"], vocab)
        self.ws353("words-sg-f16", lx["f16"], vocab)
        self.ws353("words-sg-int8", lx["int8"], vocab)
        self.ws353("words-sgsub-f32", lx["sub-f32"], sub_vocab)
        self.ws353("words-sgsub-int8", lx["sub-int8"], sub_vocab)
        g = gensim_child("ws353", {"path": str(sg_vec), "pairs": str(WS353)})
        self.res["ws353"]["gensim-words-sg-vec"] = g

        # open -> first lookup
        first = vocab[len(vocab) // 2]
        self.open_pair("words-sg-f32", lx["f32"], kv_sg, first)
        self.open_pair("words-sg-int8", lx["int8"], None, first)
        self.open_pair("words-sgsub-f32", lx["sub-f32"], kv_sub, sub_vocab[len(sub_vocab) // 2])
        self.open_pair("ft-f32", lx["ft"], kv_ft, ft_vocab[len(ft_vocab) // 2])
        if synth:
            self.open_pair(synth["name"] + "-f32", synth["lxv"], synth["kv"], f"w{synth['n'] // 2}")
        self.memory()

        # gensim's text/binary loaders
        self.load_text("words-sg.vec", sg_vec, first)
        self.load_text("ft.vec", ft_vec, ft_vocab[0])
        self.load_text("ft.bin (load_facebook_vectors)", ft_bin, ft_vocab[0], facebook=True)
        if synth:
            self.load_text(synth["name"] + ".bin", synth["bin"], "w1", binary=True)

        # lookups
        lim, cold = (300, 50) if self.quick else (1000, 200)
        self.lookups("words-sg-f32", lx["f32"], kv_sg, words, oov, lim, cold)
        self.lookups("words-sg-int8", lx["int8"], None, words, oov, lim, cold)
        self.lookups("words-sgsub-f32", lx["sub-f32"], kv_sub, swords, soov, lim, cold)
        self.lookups("ft-f32", lx["ft"], kv_ft, fwords, foov, lim, cold)
        if synth:
            self.lookups(synth["name"] + "-f32", synth["lxv"], synth["kv"], synth["words"], synth["oov"],
                         300 if self.quick else 500, 50 if self.quick else 100)

        # most_similar
        self.memory()
        self.search("words-sg-f32", lx["hnsw"], kv_sg, 100)
        self.search("words-sg-int8", lx["int8"], None, 100)
        self.search("words-sg-f16", lx["f16"], None, 100)
        if synth:
            self.search(synth["name"] + "-f32", synth["hnsw"] if synth["hnsw_rows"] == synth["n"] else synth["lxv"],
                        synth["kv"], 20 if self.quick else 30)
            if synth["hnsw_rows"] != synth["n"]:
                self.search(f"synth-{synth['hnsw_rows'] // 1000}k-f32", synth["hnsw"], None, 30)
        self.memory()

        # lexel CLI end to end
        self.cli("words-sg-f32", lx["hnsw"], words)
        self.cli("words-sg-f32", lx["hnsw"], words, ann=True)
        if synth:
            self.cli(synth["name"] + "-f32", synth["lxv"], synth["words"], n=10)

        self.res["meta"]["load_end"] = os.getloadavg()
        self.res["meta"]["total_s"] = time.time() - t_start
        self.res["summary"] = self.summary()
        date = datetime.date.today().isoformat()
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / (f"store-quick-{date}.json" if self.quick else f"store-{date}.json")
        out.write_text(json.dumps(self.res, indent=1, default=lambda o: o.item() if hasattr(o, "item") else str(o)) + "\n")
        log("wrote", out)
        if not self.quick or a.readme:
            self.write_readme(out)

    def synthetic_index(self, sbin, slxv, sname, n):
        """Indexes the synthetic file if the estimated time is under --index-budget minutes, else a 200k slice."""
        if self.quick:
            return self.index(slxv, self.w(f"{sname}-f32-hnsw.lxv")), n, "all rows indexed"
        key = "index_probe"
        if key not in self.prep:
            probe = self.convert(sbin, self.w("synth-probe-20k.lxv"), "--dtype", "f32", "--max-words", 20000)
            t0 = time.time()
            self.index(probe, self.w("synth-probe-20k-hnsw.lxv"))
            t = time.time() - t0
            import math
            est = t * (n / 20000) * math.log(n) / math.log(20000)
            self.prep[key] = {"rows": 20000, "index_s": t, "estimate_1m_s": est}
            self.save_prep()
        est = self.prep[key]["estimate_1m_s"]
        if est <= self.a.index_budget * 60:
            return self.index(slxv, self.w(f"{sname}-f32-hnsw.lxv")), n, f"all rows indexed (estimate {est / 60:.0f} min)"
        small = self.convert(sbin, self.w("synth-200k-f32.lxv"), "--dtype", "f32", "--max-words", 200000)
        note = (f"indexing all {n:,} rows was estimated at {est / 60:.0f} min from a 20k-row probe "
                f"({self.prep[key]['index_s']:.0f} s), over the {self.a.index_budget:.0f} min budget: "
                f"HNSW figures are on the first 200k rows (`--max-words 200000`)")
        return self.index(small, self.w("synth-200k-f32-hnsw.lxv")), 200000, note

    def file_sizes(self, sg_bin, sg_vec, sub_bin, sub_vec, ft_bin, ft_vec, lx, synth, kv_sg, kv_sub, kv_ft):
        def sz(p):
            return os.path.getsize(p)

        def kvsz(kv):
            return sum(sz(f) for f in _kv_files(kv))
        f32 = sz(lx["f32"])
        rows = {
            "words-sg": {"vec": sz(sg_vec), "bin": sz(sg_bin), "gensim_kv": kvsz(kv_sg),
                         "lxv_f32": f32, "lxv_f16": sz(lx["f16"]), "lxv_int8": sz(lx["int8"]),
                         "lxv_f32_hnsw": sz(lx["hnsw"])},
            "words-sgsub": {"vec": sz(sub_vec), "bin": sz(sub_bin), "gensim_kv": kvsz(kv_sub),
                            "lxv_f32": sz(lx["sub-f32"]), "lxv_int8": sz(lx["sub-int8"])},
            "ft": {"vec": sz(ft_vec), "bin": sz(ft_bin), "gensim_kv": kvsz(kv_ft), "lxv_f32": sz(lx["ft"])},
        }
        if synth:
            rows[synth["name"]] = {"bin": sz(synth["bin"]), "gensim_kv": kvsz(synth["kv"]), "lxv_f32": sz(synth["lxv"]),
                                   "lxv_f32_hnsw": sz(synth["hnsw"]), "hnsw_rows": synth["hnsw_rows"],
                                   "hnsw_note": synth["hnsw_note"]}
        info = {}
        for name, p in [("words-sg-f32", lx["f32"]), ("words-sgsub-f32", lx["sub-f32"]), ("ft-f32", lx["ft"])] + \
                ([(synth["name"] + "-f32", synth["lxv"])] if synth else []):
            r = self.storebench("open", p, "--word", "the")
            info[name] = {"count": r["count"], "dim": r["dim"], "subwords": r["subwords"]}
        rows["shapes"] = info
        return rows

    def meta(self):
        import numpy
        import gensim
        def sh(cmd):
            try:
                return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
            except Exception:
                return ""
        mem = ""
        with open("/proc/meminfo") as f:
            mem = f.readline().split()[1]
        cpu = ""
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        return {"date": datetime.date.today().isoformat(), "command": shlex.join([Path(sys.executable).name
                                                                                  if False else "tools/.venv/bin/python",
                                                                                  "tools/bench_store.py", *sys.argv[1:]]),
                "cpus": os.cpu_count(), "cpu": cpu, "mem_gb": round(int(mem) / 1024 / 1024, 1),
                "kernel": platform.release(), "python": platform.python_version(), "numpy": numpy.__version__,
                "gensim": gensim.__version__, "git": sh(["git", "describe", "--always", "--dirty"]),
                "git_status_sources": sh(["git", "status", "--short", "Sources"]).splitlines(),
                "lexel": f"{self.a.lexel} (built {self.lexel_mtime}, copied to {self.lexel})", "storebench": str(self.sb), "load_start": os.getloadavg(),
                "repeats": self.repeats, "quick": self.quick, "workdir": str(self.work)}

    # --- summary and README ----------------------------------------------------------------------------------
    def summary(self):
        R = self.res
        S = {}
        mem = median([m["read_gbps"] for m in R["memory"]])
        S["memory_read_gbps"] = mem
        S["memory_triad_gbps"] = median([m["triad_gbps"] for m in R["memory"]])
        S["open"] = {}
        for name, rec in R["open"].items():
            e = {}
            for side in ("lexel_cold", "lexel_warm", "gensim_cold", "gensim_warm"):
                xs = rec[side]
                if not xs:
                    continue
                e[side] = {"open_ms": median([x["open_ms"] for x in xs]),
                           "first_lookup_ms": median([x["first_lookup_ms"] for x in xs]),
                           "total_ms": median([x["total_ms"] for x in xs]),
                           "rss_before_mb": median([x["rss_before_kb"] for x in xs]) / 1024,
                           "rss_open_mb": median([x["rss_open_kb"] for x in xs]) / 1024,
                           "rss_lookup_mb": median([x["rss_lookup_kb"] for x in xs]) / 1024,
                           "open_read_mb": median([x.get("open_read_bytes") for x in xs] or [None]),
                           "peak_rss_mb": median([x["child_peak_rss_kb"] for x in xs]) / 1024}
                if e[side]["open_read_mb"] is not None:
                    e[side]["open_read_mb"] /= 1e6
            S["open"][name] = e
        S["load_text"] = {n: {"load_s": median([x["load_s"] for x in r["gensim"]]),
                              "first_lookup_ms": median([x["first_lookup_ms"] for x in r["gensim"]]),
                              "peak_rss_mb": median([x["child_peak_rss_kb"] for x in r["gensim"]]) / 1024}
                          for n, r in R["load_text"].items()}
        S["lookups"] = {}
        kinds = ("warm_inv", "warm_oov", "cold_inv", "cold_oov", "proc_inv", "proc_oov", "hot_inv", "hot_oov",
                 "cold_random_inv", "cold_random_oov")
        for name, rec in R["lookups"].items():
            e = {}
            for side in ("lexel", "gensim"):
                xs = rec[side]
                if not xs:
                    continue
                e[side] = {k: {q: median([x[k].get(q) for x in xs])
                               for q in ("p50_us", "p90_us", "p99_us", "minor_faults_p50", "major_faults_p50",
                                         "read_kb_p50", "open_us_p50")}
                           for k in kinds if k in xs[0]}
                if side == "gensim":
                    e[side]["oov_behaviour"] = xs[0]["oov_behaviour"]
                else:
                    e[side]["subwords"] = xs[0]["subwords"]
                    e[side]["count"] = xs[0]["count"]
            S["lookups"][name] = e
        S["search"] = {}
        for name, rec in R["search"].items():
            lx = rec["lexel"]
            e = {"count": lx[0]["count"], "dim": lx[0]["dim"], "dtype": lx[0]["dtype"],
                 "lexel_exact_ms_p50": median([x["exact_ms_p50"] for x in lx]),
                 "lexel_batched_ms": median([x["batched_ms_per_query"] for x in lx]),
                 "lexel_scan_gbps": median([x["scan_gbps_p50"] for x in lx]),
                 "lexel_scan_gbps_batched": median([x["scan_gbps_batched"] for x in lx]),
                 "batched_agrees": lx[0]["batched_agrees"], "queries": lx[0]["queries"],
                 "lexel_peak_rss_mb": median([x["child_peak_rss_kb"] for x in lx]) / 1024}
            e["fraction_of_memory"] = e["lexel_scan_gbps"] / mem
            if lx[0].get("ann"):
                e["ann"] = [{"ef": a["ef"], "ms_p50": median([x["ann"][i]["ms_p50"] for x in lx]),
                             "recall": median([x["ann"][i]["recall_at_k"] for x in lx]),
                             "speedup": median([x["ann"][i]["speedup_vs_exact"] for x in lx])}
                            for i, a in enumerate(lx[0]["ann"])]
            if rec["gensim"]:
                g = rec["gensim"]
                e["gensim_ms_p50"] = median([x["ms_p50"] for x in g])
                e["gensim_batched_ms"] = median([x["batched_ms_per_query"] for x in g])
                e["gensim_first_most_similar_s"] = median([x["first_most_similar_s"] for x in g])
                e["gensim_overlap"] = median([x["overlap_with_lexel_exact"] for x in g])
                e["gensim_peak_rss_mb"] = median([x["child_peak_rss_kb"] for x in g]) / 1024
            S["search"][name] = e
        S["cli"] = {n: {"wall_s": median([x["wall_s"] for x in r]), "queries": r[0]["queries"],
                        "peak_rss_mb": median([x["peak_rss_kb"] for x in r]) / 1024, "cmd": r[0]["cmd"]}
                    for n, r in R.get("cli", {}).items()}
        S["targets"] = self.targets(S)
        return S

    def targets(self, S):
        R = self.res
        T = []

        def add(name, target, measured, ok, margin, note=""):
            T.append({"target": name, "goal": target, "measured": measured, "pass": bool(ok), "margin": margin, "note": note})
        # open -> first lookup (every file, disk-cold and warm)
        worst_cold = max((e["lexel_cold"]["total_ms"], n) for n, e in S["open"].items())
        worst_warm = max((e["lexel_warm"]["total_ms"], n) for n, e in S["open"].items())
        g = TARGETS["open_first_lookup_ms"]
        add("open -> first lookup, disk-cold, worst file", f"<= {g} ms", f"{worst_cold[0]:.2f} ms ({worst_cold[1]})",
            worst_cold[0] <= g, f"{g / worst_cold[0]:.1f}x headroom" if worst_cold[0] <= g else f"{worst_cold[0] / g:.1f}x over")
        add("open -> first lookup, page cache warm, worst file", f"<= {g} ms", f"{worst_warm[0]:.2f} ms ({worst_warm[1]})",
            worst_warm[0] <= g, f"{g / worst_warm[0]:.1f}x headroom" if worst_warm[0] <= g else f"{worst_warm[0] / g:.1f}x over")
        rss = max((e["lexel_cold"]["rss_open_mb"], n, e["lexel_cold"]["rss_before_mb"]) for n, e in S["open"].items())
        g = TARGETS["rss_after_open_mb"]
        add("RSS right after open (whole process), worst file", f"<= {g} MB", f"{rss[0]:.1f} MB ({rss[1]}; {rss[2]:.1f} MB before open)",
            rss[0] <= g, f"{g - rss[0]:+.1f} MB")
        lk = S["lookups"]

        def oov_rows(name, goal, label):
            e = lk[name]["lexel"]
            for kind, what in (("proc_oov", "first lookup of the word in an open file"),
                               ("warm_oov", "fresh VectorFile per word (process-cold, page cache warm)"),
                               ("cold_oov", "disk-cold (file evicted before each open)"),
                               ("cold_random_oov", "disk-cold + madvise(MADV_RANDOM) after open (benchmark-side)")):
                v = e[kind]["p50_us"]
                add(f"{label}: {what}", f"<= {goal:.0f} us", f"{v:.1f} us" if v < 100 else f"{v:,.0f} us", v <= goal,
                    f"{goal / v:.1f}x headroom" if v <= goal else f"{v / goal:.1f}x over")
        if "words-sg-f32" in lk:
            oov_rows("words-sg-f32", TARGETS["oov_p50_us_no_subwords"],
                     f"OOV p50, {lk['words-sg-f32']['lexel']['count']:,}-word file, no subwords")
        for name in ("words-sgsub-f32", "ft-f32"):
            if name in lk:
                oov_rows(name, TARGETS["oov_p50_us_subwords"], f"OOV p50 with subwords, {name}")
        f = R["files"]["words-sg"]
        ratio = f["lxv_int8"] / f["lxv_f32"]
        d = R["ws353"]["words-sg-int8"]["spearman_in_vocab"] - R["ws353"]["words-sg-f32"]["spearman_in_vocab"]
        add("int8 file size vs f32 (words-sg)", f"<= {TARGETS['int8_size_ratio']}x", f"{ratio:.3f}x",
            ratio <= TARGETS["int8_size_ratio"], f"{TARGETS['int8_size_ratio'] - ratio:+.3f}")
        add("int8 WS353 vs f32 (words-sg)", f"abs(delta) <= {TARGETS['int8_ws353_delta']}", f"{d:+.4f}",
            abs(d) <= TARGETS["int8_ws353_delta"], f"{TARGETS['int8_ws353_delta'] - abs(d):.4f} to spare")
        syn = [n for n in S["search"] if n.startswith("synth-") and S["search"][n]["count"] >= 1000000]
        if syn:
            e = S["search"][syn[0]]
            fr = e["fraction_of_memory"]
            add(f"exact top-10 over {e['count']:,} x {e['dim']} f32, 2 threads: scan bandwidth / memory read bandwidth",
                f">= {TARGETS['scan_bandwidth_fraction']:.0%}",
                f"{fr:.0%} ({e['lexel_scan_gbps']:.1f} of {S['memory_read_gbps']:.1f} GB/s; batched {e['lexel_scan_gbps_batched']:.1f} GB/s)",
                fr >= TARGETS["scan_bandwidth_fraction"], f"{(fr - TARGETS['scan_bandwidth_fraction']) * 100:+.0f} points")
        for n, e in S["search"].items():
            if "ann" not in e:
                continue
            ok = [a for a in e["ann"] if a["recall"] >= TARGETS["hnsw_recall"] and a["speedup"] >= TARGETS["hnsw_speedup"]]
            best = max(e["ann"], key=lambda a: (a["recall"] >= TARGETS["hnsw_recall"], a["speedup"]))
            pick = ok[0] if ok else best
            add(f"HNSW recall@10 and speed vs exact ({n}, {e['count']:,} rows)",
                f"recall >= {TARGETS['hnsw_recall']} at >= {TARGETS['hnsw_speedup']:.0f}x",
                f"ef {pick['ef']}: recall {pick['recall']:.3f}, {pick['speedup']:.1f}x", bool(ok),
                "; ".join(f"ef {a['ef']}: {a['recall']:.3f} / {a['speedup']:.0f}x" for a in e["ann"]))
        return T

    def write_readme(self, results_path):
        S = self.res["summary"]
        R = self.res
        M = R["meta"]
        L = []
        L.append(SECTION)
        L.append("")
        L.append(f"Date: {M['date']}. Command: `{M['command']}` (about {M['total_s'] / 60:.0f} min with cached inputs "
                 f"under `{M['workdir']}`; the first run also trains the inputs).")
        L.append("")
        L.append(f"Machine: {M['cpus']} CPUs ({M['cpu']}), {M['mem_gb']} GB RAM, Linux {M['kernel']}, Python {M['python']}; "
                 f"load average {M['load_start'][0]:.1f} at the start and {M['load_end'][0]:.1f} at the end (other jobs were "
                 f"running: absolute figures are pessimistic, ratios are fairer). Versions: gensim {M['gensim']}, numpy "
                 f"{M['numpy']}, lexel git {M['git']}.")
        L.append("")
        L.append("How: Lexel = `Benchmarks/Benchmarks/StoreBench` (one fresh process per measurement, one JSON line each) "
                 "and the `lexel` CLI; gensim = `KeyedVectors` in a fresh Python child per measurement, BLAS pinned to "
                 "2 threads (`OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2`). Lexel and gensim alternate; every figure is "
                 f"the median over {M['repeats']} repeats. Disk-cold = the file's pages dropped from the page cache with "
                 "`posix_fadvise(POSIX_FADV_DONTNEED)` first (for gensim: the .kv and its .npy files). gensim's "
                 "native files are written with `kv.save(path, sep_limit=0)` so that `KeyedVectors.load(path, mmap='r')` "
                 "maps the arrays. Each `*.lxv` is `lexel convert IN OUT --dtype D`.")
        L.append("")
        # inputs
        F = R["files"]
        P = R["prep"]
        sh = F["shapes"]
        L.append("Inputs:")
        L.append("")
        L.append(f"- `words-sg`: `lexel skipgram -input words-en.txt.zst -thread 2 -maxn 0` (dim 100, 5 epochs): "
                 f"{sh['words-sg-f32']['count']:,} x {sh['words-sg-f32']['dim']}; `words-sgsub`: the same with subwords "
                 f"(minn 3, maxn 6, bucket 2M): {sh['words-sgsub-f32']['count']:,} words.")
        ft = P["train_ft"]
        L.append(f"- `ft`: `fasttext.train_unsupervised` on {ft['slice']} ({ft['lines']:,} lines), skip-gram dim 100, "
                 f"{ft['params']['epoch']} epochs, minn 3 maxn 6, bucket {ft['params']['bucket']:,}, 2 threads "
                 f"({ft['train_s']:.0f} s): {sh['ft-f32']['count']:,} words.")
        syn = [k for k in F if k.startswith("synth-")]
        if syn:
            s = syn[0]
            rec = P[f"synth_{s}"]
            L.append(f"- `{s}`: synthetic {rec['rows']:,} x {rec['dim']}, {rec['recipe']}. {F[s]['hnsw_note'][0].upper() + F[s]['hnsw_note'][1:]}.")
        L.append("")
        # sizes
        L.append("### Files")
        L.append("")
        L.append("| vectors | .vec text | .bin | gensim .kv + .npy | .lxv f32 | .lxv f16 | .lxv int8 | int8 / f32 | f32 .lxv / .bin |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")

        def mb(x):
            return f"{x / 1e6:,.1f} MB" if x is not None else "-"
        for n in ["words-sg", "words-sgsub", "ft"] + syn:
            f = F[n]
            i8 = f.get("lxv_int8")
            L.append(f"| {n} | {mb(f.get('vec'))} | {mb(f.get('bin'))} | {mb(f.get('gensim_kv'))} | {mb(f['lxv_f32'])} | "
                     f"{mb(f.get('lxv_f16'))} | {mb(i8)} | {(i8 / f['lxv_f32']) if i8 else 0:.3f} | "
                     f"{f['lxv_f32'] / f['bin']:.2f} |".replace("| 0.000 |", "| - |"))
        L.append("")
        L.append("`.bin` = the model as trained (Lexel and fastText models hold the subword rows and the output matrix; "
                 "the synthetic one is word2vec binary). gensim .kv = `KeyedVectors.save` (FastTextKeyedVectors keeps all "
                 "n-gram buckets, as does the ft .lxv: fastText initialises every bucket, so none is dropped). With HNSW "
                 "(M 16, efConstruction 200): "
                 + ", ".join(f"{n} ({F[n].get('hnsw_rows', sh.get(n + '-f32', {}).get('count', 0)):,} rows) "
                             f"{mb(F[n]['lxv_f32_hnsw'])}" for n in ["words-sg"] + syn) + ".")
        L.append("")
        W = R["ws353"]
        L.append(f"WordSim353 Spearman (`lexel query --similarity` on the lower-cased pairs; the {W['words-sg-f32']['in_vocab_pairs']} "
                 f"pairs with both words in the vocabulary, all {W['words-sg-f32']['pairs']} with OOV vectors in brackets):")
        L.append("")
        L.append("| file | f32 | f16 | int8 | int8 - f32 |")
        L.append("|---|---:|---:|---:|---:|")
        w = W
        L.append(f"| words-sg | {w['words-sg-f32']['spearman_in_vocab']:.4f} ({w['words-sg-f32']['spearman_all_with_oov_vectors']:.4f}) | "
                 f"{w['words-sg-f16']['spearman_in_vocab']:.4f} | {w['words-sg-int8']['spearman_in_vocab']:.4f} "
                 f"({w['words-sg-int8']['spearman_all_with_oov_vectors']:.4f}) | "
                 f"{w['words-sg-int8']['spearman_in_vocab'] - w['words-sg-f32']['spearman_in_vocab']:+.4f} |")
        L.append(f"| words-sgsub | {w['words-sgsub-f32']['spearman_in_vocab']:.4f} ({w['words-sgsub-f32']['spearman_all_with_oov_vectors']:.4f}) | - | "
                 f"{w['words-sgsub-int8']['spearman_in_vocab']:.4f} ({w['words-sgsub-int8']['spearman_all_with_oov_vectors']:.4f}) | "
                 f"{w['words-sgsub-int8']['spearman_in_vocab'] - w['words-sgsub-f32']['spearman_in_vocab']:+.4f} |")
        L.append("")
        L.append(f"Cross-check: gensim `evaluate_word_pairs` on `words-sg.vec`: {w['gensim-words-sg-vec']['spearman']:.4f}.")
        L.append("")
        # open
        L.append("### Open -> first lookup")
        L.append("")
        L.append("Lexel: `VectorFile(path:)` then the first `vector(for:)` of a mid-vocabulary word, in a fresh process. "
                 "gensim: `KeyedVectors.load(path, mmap='r')` then `kv[word]` (copied). RSS = VmRSS of the whole process "
                 "(Lexel: StoreBench links LexelStore and the Swift runtime, no Foundation; gensim: Python + numpy + gensim "
                 "imported). MB read = storage bytes read during `VectorFile(path:)` (`/proc/self/io`).")
        L.append("")
        L.append("| file | Lexel disk-cold open + lookup ms (MB read by open) | Lexel warm ms | Lexel RSS before / after open / after lookup MB | "
                 "gensim mmap disk-cold ms | gensim warm ms | gensim RSS before / after load MB |")
        L.append("|---|---:|---:|---:|---:|---:|---:|")
        for n, e in S["open"].items():
            lc, lw = e["lexel_cold"], e["lexel_warm"]
            gc, gw = e.get("gensim_cold"), e.get("gensim_warm")
            L.append(f"| {n} | {lc['open_ms']:.2f} + {lc['first_lookup_ms']:.2f} = **{lc['total_ms']:.2f}** ({lc['open_read_mb']:.1f}) | "
                     f"{lw['total_ms']:.2f} | {lc['rss_before_mb']:.1f} / {lc['rss_open_mb']:.1f} / {lc['rss_lookup_mb']:.1f} | "
                     + (f"{gc['open_ms']:.1f} + {gc['first_lookup_ms']:.2f} = {gc['total_ms']:.1f} | {gw['total_ms']:.1f} | "
                        f"{gc['rss_before_mb']:.0f} / {gc['rss_open_mb']:.0f} |" if gc else "- | - | - |"))
        L.append("")
        L.append("gensim's loaders (the usual way in; whole file parsed into RAM):")
        L.append("")
        L.append("| input | load s | first lookup ms | peak RSS MB |")
        L.append("|---|---:|---:|---:|")
        for n, e in S["load_text"].items():
            L.append(f"| {n} | {e['load_s']:.2f} | {e['first_lookup_ms']:.3f} | {e['peak_rss_mb']:.0f} |")
        L.append("")
        # lookups
        L.append("### Lookups")
        L.append("")
        L.append("Each word is looked up once per variant; p50 in microseconds (p99 and fault counts in the JSON). "
                 "In-vocabulary words are drawn uniformly over rows; OOV words are one-edit misspellings of words among "
                 "the 50k most frequent that are not keys. Lexel variants: *open file* = first lookup of the word in a "
                 "`VectorFile` opened once for the list (pages of earlier words stay mapped); *repeat* = the same word "
                 "again (Magnitude's 'warm single key'); *fresh* = a new `VectorFile(path:)` for every word (no "
                 "in-process state, a new mapping, page cache warm; only `vector(for:)` is timed); *disk-cold* = "
                 "the file evicted before each fresh open; *+RANDOM* = disk-cold with `madvise(MADV_RANDOM)` applied by "
                 "the benchmark to the mapping after open. MB read = storage bytes read by one disk-cold lookup "
                 "(`/proc/self/io`).")
        L.append("")
        L.append("| file | OOV vectors from | words | open file | repeat | fresh (minor faults) | disk-cold (MB read) | "
                 "disk-cold +RANDOM (MB read) |")
        L.append("|---|---|---|---:|---:|---:|---:|---:|")

        def us(x):
            v = x["p50_us"]
            return f"{v:.1f}" if v < 100 else f"{v:,.0f}"
        for n, e in S["lookups"].items():
            lx = e["lexel"]
            method = "subword rows" if lx["subwords"] else "spelling neighbours (oov-index)"
            for kind, label in (("inv", "in-vocab"), ("oov", "OOV")):
                c, cr = lx[f"cold_{kind}"], lx[f"cold_random_{kind}"]
                L.append(f"| {n} | {method} | {label} | {us(lx[f'proc_{kind}'])} | {us(lx[f'hot_{kind}'])} | "
                         f"{us(lx[f'warm_{kind}'])} ({lx[f'warm_{kind}']['minor_faults_p50']:.0f}) | "
                         f"{us(c)} ({c['read_kb_p50'] / 1024:.2f}) | {us(cr)} ({cr['read_kb_p50'] / 1024:.2f}) |")
        L.append("")
        L.append("gensim (`KeyedVectors.load(path, mmap='r')` once, then `kv[word]` copied; disk-cold = its .npy files "
                 "evicted before each lookup):")
        L.append("")
        L.append("| file | in-vocab | in-vocab disk-cold | OOV | OOV disk-cold |")
        L.append("|---|---:|---:|---:|---:|")
        for n, e in S["lookups"].items():
            g = e.get("gensim")
            if not g:
                continue
            if g["oov_behaviour"] == "KeyError":
                oo = f"KeyError ({us(g['warm_oov'])})"
                oc = "KeyError"
            else:
                oo, oc = us(g["warm_oov"]) + " (n-grams)", us(g["cold_oov"])
            L.append(f"| {n} | {us(g['warm_inv'])} | {us(g['cold_inv'])} | {oo} | {oc} |")
        L.append("")
        # search
        L.append("### most_similar (top 10)")
        L.append("")
        L.append(f"Memory read bandwidth (StoreBench `memory --threads 2 --mib 2048`, sum of an f32 array, best of 5, median "
                 f"of {len(R['memory'])} runs through the session): **{S['memory_read_gbps']:.1f} GB/s** (triad "
                 f"{S['memory_triad_gbps']:.1f} GB/s). Queries are rows of the file (the row itself excluded), seeded; "
                 "Lexel `mostSimilar(to:k:excluding:options:)` with `SearchOptions(threads: 2)` after one warm-up pass; "
                 "batched = all queries in one call. Scan GB/s = rows x dim x bytes per value / time per query (batched: per "
                 "query, so above the memory bandwidth when queries share each read of a row). gensim "
                 "`most_similar(word, topn=10)` after a warm-up pass; its batched figure is numpy "
                 "(`vectors @ Q.T / norms`, argpartition), since gensim has no batched most_similar.")
        L.append("")
        L.append("| file | rows x dim | Lexel exact ms (p50) | Lexel batched ms/query | scan GB/s (share of memory bw) | "
                 "gensim ms (p50) | numpy batched ms/query | gensim top-10 = Lexel's | peak RSS MB Lexel / gensim |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for n, e in S["search"].items():
            L.append(f"| {n} ({e['dtype']}) | {e['count']:,} x {e['dim']} | {e['lexel_exact_ms_p50']:.2f} | {e['lexel_batched_ms']:.2f} | "
                     f"{e['lexel_scan_gbps']:.1f} ({e['fraction_of_memory']:.0%}); batched {e['lexel_scan_gbps_batched']:.1f} | "
                     + (f"{e['gensim_ms_p50']:.2f} | {e['gensim_batched_ms']:.2f} | {e['gensim_overlap']:.3f} | "
                        f"{e['lexel_peak_rss_mb']:.0f} / {e['gensim_peak_rss_mb']:.0f} |"
                        if "gensim_ms_p50" in e else f"- | - | - | {e['lexel_peak_rss_mb']:.0f} / - |"))
        L.append("")
        ann = [(n, e) for n, e in S["search"].items() if "ann" in e]
        if ann:
            L.append("HNSW (`lexel index FILE`, M 16, efConstruction 200; `approximateMostSimilar(to:k:ef:)`), recall@10 "
                     "against the exact top 10:")
            L.append("")
            L.append("| file | index build s | ef | ms (p50) | recall@10 | speed-up vs exact |")
            L.append("|---|---:|---:|---:|---:|---:|")
            for n, e in ann:
                fname = Path(R["search"][n]["file"]).name
                b = P.get(f"index_{fname}", {}).get("wall_s")
                for a in e["ann"]:
                    L.append(f"| {n} | {b:.0f} | {a['ef']} | {a['ms_p50']:.3f} | {a['recall']:.3f} | {a['speedup']:.0f}x |"
                             if b else f"| {n} | - | {a['ef']} | {a['ms_p50']:.3f} | {a['recall']:.3f} | {a['speedup']:.0f}x |")
            L.append("")
        if S["cli"]:
            L.append("`lexel query` end to end (process start, open, queries from stdin, exit):")
            L.append("")
            L.append("| command | wall s | per query ms | peak RSS MB |")
            L.append("|---|---:|---:|---:|")
            for n, e in S["cli"].items():
                L.append(f"| `{e['cmd'].replace(str(self.lexel), 'lexel').replace(str(self.work) + '/', '')}` | {e['wall_s']:.3f} | "
                         f"{e['wall_s'] / e['queries'] * 1e3:.1f} | {e['peak_rss_mb']:.0f} |")
            L.append("")
        # magnitude
        mg = MAGNITUDE_CITED
        L.append("### Magnitude (cited, not measured)")
        L.append("")
        L.append(f"`pymagnitude` 0.1.143 {self.a.magnitude_note}. Its README's own figures (Magnitude Light, "
                 f"GoogleNews 3M x 300, 4.21 GB file, MacBook Pro 2014, SSD), for scale only: initial load "
                 f"{mg['initial_load_s']} s, cold single key {mg['cold_single_key_s'] * 1e3:.1f} ms, warm single key "
                 f"{mg['warm_single_key_s'] * 1e3:.2f} ms, first most_similar {mg['first_most_similar_worst_s']} s "
                 f"(worst case) / {mg['first_most_similar_with_disk_cache_s']} s (with its disk cache), subsequent "
                 f"most_similar {mg['subsequent_most_similar_s']} s, most_similar_approx (annoy, Heavy) "
                 f"{mg['most_similar_approx_effort_1_s']} s at effort 1.0 / {mg['most_similar_approx_effort_0.1_s']} s "
                 f"at 0.1, RAM {mg['ram_after_load_kb']} KB after load. Source: {mg['source']}.")
        L.append("")
        # notes drawn from the numbers above
        L.append("### Notes")
        L.append("")
        try:
            dev = os.stat(self.work).st_dev
            ra = Path(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}/../queue/read_ahead_kb")
            ra = ra.read_text().strip() if ra.exists() else Path("/sys/block/vda/queue/read_ahead_kb").read_text().strip()
        except OSError:
            ra = "?"
        op = S["open"]
        worst = max(op.items(), key=lambda kv: kv[1]["lexel_cold"]["total_ms"])
        L.append(f"- Disk-cold opens read {min(e['lexel_cold']['open_read_mb'] for e in op.values()):.1f}-"
                 f"{max(e['lexel_cold']['open_read_mb'] for e in op.values()):.1f} MB to touch a few header pages: "
                 f"page faults on a mapping read around the faulting page, and this machine's disk has read_ahead_kb = "
                 f"{ra}. The benchmark cannot advise the mapping before `VectorFile(path:)` reads it; after open, "
                 "`madvise(MADV_RANDOM)` cuts what a disk-cold lookup reads (the +RANDOM column).")
        lk = S["lookups"]
        for n in ("words-sgsub-f32", "ft-f32"):
            if n in lk:
                e = lk[n]["lexel"]
                L.append(f"- {n}: an OOV word touches ~{e['warm_oov']['minor_faults_p50']:.0f} new pages (n-gram rows, and the "
                         f"bucket search where buckets are sparse), so a fresh mapping costs {e['warm_oov']['p50_us']:.0f} us against "
                         f"{e['proc_oov']['p50_us']:.1f} us in an open file and {e['hot_oov']['p50_us']:.1f} us repeated.")
        sr = S["search"]
        if "words-sg-int8" in sr and "words-sg-f32" in sr:
            L.append(f"- Exact search over int8 / f16 rows is slower than over f32 ({sr['words-sg-int8']['lexel_exact_ms_p50']:.2f} / "
                     f"{sr['words-sg-f16']['lexel_exact_ms_p50']:.2f} ms vs {sr['words-sg-f32']['lexel_exact_ms_p50']:.2f} ms) "
                     "although it reads 4x / 2x fewer bytes: it is compute-bound (decode plus a per-row norm).")
        if "ft-f32" in op and op["ft-f32"].get("gensim_cold"):
            L.append(f"- gensim `FastTextKeyedVectors` loaded with mmap='r' still takes {op['ft-f32']['gensim_warm']['total_ms'] / 1e3:.1f} s "
                     f"and {op['ft-f32']['gensim_cold']['rss_open_mb']:.0f} MB RSS: its load recomputes every word vector "
                     "from the n-gram rows (`adjust_vectors` in gensim/models/fasttext.py).")
        L.append("")
        # targets
        L.append("### Acceptance targets (issue #3)")
        L.append("")
        L.append("| target | goal | measured | pass | margin |")
        L.append("|---|---|---|---|---|")
        for t in S["targets"]:
            L.append(f"| {t['target']} | {t['goal']} | {t['measured']} | {'yes' if t['pass'] else '**no**'} | {t['margin']} |")
        L.append("")
        L.append(f"Raw results: `{results_path.relative_to(ROOT)}` (every repeat, every process).")
        L.append("")
        text = README.read_text() if README.exists() else "# Benchmarks\n"
        section = "\n".join(L)
        m = re.search(r"^## Vector store: side by side\n.*?(?=^## |\Z)", text, flags=re.S | re.M)
        if m:
            text = text[: m.start()] + section + "\n" + text[m.end():]
        else:
            k = text.find("\n## Kernel micro-benchmarks")
            text = (text[: k + 1] + section + "\n" + text[k + 1:]) if k >= 0 else text.rstrip("\n") + "\n\n" + section
        README.write_text(text)
        log("updated", README)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default="/tmp/lexel-bench-store", help="inputs and converted files (cached)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-synthetic", action="store_true", help="leave out the 1M x 300 synthetic file")
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke test (workdir/quick)")
    ap.add_argument("--readme", action="store_true", help="with --quick: write the README section anyway")
    ap.add_argument("--lexel", default=str(ROOT / ".build" / "release" / "lexel"))
    ap.add_argument("--storebench", default=str(ROOT / ".build-storebench" / "release" / "StoreBench"))
    ap.add_argument("--no-build", action="store_true", help="do not (re)build StoreBench")
    ap.add_argument("--index-budget", type=float, default=15, help="minutes allowed for indexing the 1M file")
    ap.add_argument("--magnitude-note",
                    default="was tried once: its sdist (5.4 MB) downloads from PyPI, but `pip install` of it in a "
                            "scratch Python 3.11.7 venv was still building the wheel after 5 minutes and was stopped "
                            "(ENGINEERING.md: dead wheel URLs, broken C builds); so nothing of Magnitude is measured here",
                    help="what happened when installing pymagnitude")
    ap.add_argument("--report-only", metavar="JSON", help="rewrite the README section from a results file")
    ap.add_argument("--child", nargs=2, metavar=("TASK", "JSON"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child_main(a.child[0], json.loads(a.child[1]))
        return
    if a.report_only:
        b = Bench(a)
        b.res = json.loads(Path(a.report_only).read_text())
        b.res["summary"] = b.summary()
        Path(a.report_only).write_text(json.dumps(b.res, indent=1) + "\n")
        b.write_readme(Path(a.report_only).resolve())
        return
    if not a.no_build:
        cmd = ["swift", "build", "-c", "release", "--package-path", str(ROOT / "Benchmarks"), "--scratch-path",
               str(ROOT / ".build-storebench"), "--product", "StoreBench"]
        log("building:", shlex.join(cmd))
        for attempt in range(4):  # others may be editing Sources/ ("modified during the build") or holding a lock
            if subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode == 0:
                break
            if attempt == 3:
                raise SystemExit("StoreBench does not build")
            log("build failed; retrying in 30 s")
            time.sleep(30)
    if not Path(a.lexel).exists():
        raise SystemExit(f"no lexel binary at {a.lexel}: swift build -c release --product lexel")
    Bench(a).run()


if __name__ == "__main__":
    main()
