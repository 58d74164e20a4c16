#!/usr/bin/env python3
"""Side-by-side word-vector training benchmark: Lexel vs fastText vs gensim.

Run with the peers' venv (made by tools/peers/setup_venv.sh), from the repo root:

    tools/.venv/bin/python tools/bench_words.py                       # full run, all tools/configs
    tools/.venv/bin/python tools/bench_words.py --tools fasttext,gensim --max-lines 20000   # quick

Every training runs in its own child process (peak RSS per run via GNU time, or by polling VmHWM).
Training wall: for the Python peers the train call is timed inside the child (vocab build + training,
what fastText's train_unsupervised and gensim's constructor do); for Lexel it is the whole process
wall (read + vocab + train + write), i.e. pessimistic for Lexel.
Every model is saved as word2vec text (.vec) and judged by the one numpy evaluator below
(WordSim353 Spearman, 3CosAdd analogies over the 30k most frequent words).
Results: a section "## Word vectors: side by side" in Benchmarks/README.md and raw JSON in
Benchmarks/results/words-<date>.json.
"""
import argparse
import datetime as _dt
import io
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTION = "## Word vectors: side by side"

CONFIGS = {
    # name: (model, subwords)
    "sg-sub": ("skipgram", True),
    "sg": ("skipgram", False),
    "cbow": ("cbow", False),
}
CONFIG_DESC = {
    "sg-sub": "skip-gram + subwords (minn 3, maxn 6)",
    "sg": "skip-gram, no subwords (maxn 0)",
    "cbow": "CBOW, no subwords (maxn 0)",
}
ALL_TOOLS = ["fasttext", "gensim", "lexel"]

COMMON = dict(dim=100, ws=5, neg=5, epoch=5, min_count=5, threads=2, t=1e-4, minn=3, maxn=6,
              bucket=2000000, seed=1)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ----------------------------------------------------------------------------------------------
# Child mode: train one peer model in this (fresh) process, write .vec, print a JSON line.
# ----------------------------------------------------------------------------------------------

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
                   version=_dist_version("fasttext") or _dist_version("fasttext-wheel"))
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


def _dist_version(name):
    try:
        import importlib.metadata as md
        return md.version(name)
    except Exception:
        return None


# ----------------------------------------------------------------------------------------------
# Running a child with wall + peak RSS
# ----------------------------------------------------------------------------------------------

GNU_TIME = None


def find_gnu_time():
    for p in ("/usr/bin/time", shutil.which("time") or ""):
        if p and os.path.exists(p):
            try:
                r = subprocess.run([p, "-f", "%e %M", "true"], capture_output=True, text=True)
                if r.returncode == 0 and re.match(r"^\s*[0-9.]+\s+\d+\s*$", r.stderr.strip().splitlines()[-1]):
                    return p
            except Exception:
                pass
    return None


def run_measured(cmd, log_path, timeout=None):
    """Run cmd; return dict(rc, wall, peak_rss_mb, stdout, how)."""
    t0 = time.perf_counter()
    if GNU_TIME:
        tf = log_path + ".time"
        full = [GNU_TIME, "-f", "%e %M", "-o", tf] + cmd
        with open(log_path, "w") as lf:
            try:
                p = subprocess.run(full, stdout=subprocess.PIPE, stderr=lf, text=True, timeout=timeout)
                rc, out = p.returncode, p.stdout
            except subprocess.TimeoutExpired as e:
                rc, out = 124, (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        wall = time.perf_counter() - t0
        rss = None
        try:
            last = [l for l in open(tf).read().splitlines() if l.strip()][-1].split()
            rss = int(last[1]) / 1024.0
        except Exception:
            pass
        return dict(rc=rc, wall=wall, peak_rss_mb=rss, stdout=out, how="GNU time %M")
    # Fallback: poll VmHWM of the child in a thread.
    peak = [0]
    with open(log_path, "w") as lf:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=lf, text=True)
        stop = threading.Event()

        def poll():
            path = f"/proc/{p.pid}/status"
            while not stop.is_set():
                try:
                    for line in open(path):
                        if line.startswith("VmHWM:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
                except Exception:
                    pass
                stop.wait(0.05)

        th = threading.Thread(target=poll, daemon=True)
        th.start()
        try:
            out, _ = p.communicate(timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            rc = 124
        stop.set()
        th.join()
    wall = time.perf_counter() - t0
    return dict(rc=rc, wall=wall, peak_rss_mb=peak[0] / 1024.0 if peak[0] else None, stdout=out,
                how="polled VmHWM")


# ----------------------------------------------------------------------------------------------
# Corpus preparation
# ----------------------------------------------------------------------------------------------

def prepare_corpus(src, dst, max_lines):
    """Stream-decompress src (.zst or plain) to dst, keeping the first max_lines lines. Returns (lines, tokens)."""
    lines = tokens = 0
    if src.endswith(".zst"):
        import zstandard
        fin = open(src, "rb")
        reader = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fin), encoding="utf-8")
    else:
        fin = None
        reader = open(src, encoding="utf-8")
    with reader, open(dst, "w", encoding="utf-8") as out:
        for line in reader:
            if max_lines is not None and lines >= max_lines:
                break
            if not line.endswith("\n"):
                line += "\n"
            out.write(line)
            lines += 1
            tokens += len(line.split())  # == wc -w for this ASCII corpus
    if fin:
        fin.close()
    return lines, tokens


# ----------------------------------------------------------------------------------------------
# The one evaluator (numpy) used for every tool
# ----------------------------------------------------------------------------------------------

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


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------

def machine_info():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except Exception:
        pass
    mem = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except Exception:
        pass
    return dict(nproc=os.cpu_count(), cpu=cpu, mem_gb=mem, kernel=platform.release(),
                python=platform.python_version())


def fmt(x, spec):
    if x is None or (isinstance(x, float) and x != x):
        return "n/a"
    return format(x, spec)


def summarize(runs):
    """Group runs by (config, tool); medians over repeats."""
    groups = {}
    for r in runs:
        groups.setdefault((r["config"], r["tool"]), []).append(r)
    out = {}
    for k, rs in groups.items():
        ok = [r for r in rs if r.get("ok")]
        if not ok:
            out[k] = dict(ok=False, error=rs[-1].get("error"))
            continue
        med = lambda key: statistics.median([r[key] for r in ok if r.get(key) is not None]) \
            if any(r.get(key) is not None for r in ok) else None
        out[k] = dict(ok=True, n=len(ok), wps_thread=med("wps_thread"), train_wall=med("train_wall"),
                      process_wall=med("process_wall"),
                      peak_rss_mb=max((r["peak_rss_mb"] or 0) for r in ok) or None,
                      ws353_rho=med("ws353_rho"), ws353_oov_pairs=ok[0]["ws353_oov_pairs"],
                      analogy_acc=med("analogy_acc"), analogy_answered=ok[0]["analogy_answered"],
                      analogy_sem_acc=med("analogy_sem_acc"), analogy_syn_acc=med("analogy_syn_acc"),
                      vocab=ok[0].get("vec_vocab"))
    return out


def write_report(args, meta, runs, cross):
    summ = summarize(runs)
    L = [SECTION, ""]
    L.append(f"Date: {meta['date']}. Command: `{meta['command']}`")
    L.append("")
    m = meta["machine"]
    L.append(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gb']} GB RAM, Linux {m['kernel']}, "
             f"Python {m['python']}.")
    v = meta["versions"]
    L.append("Versions: " + ", ".join(f"{k} {v[k]}" for k in v) + ".")
    L.append("")
    c = meta["corpus"]
    L.append(f"Corpus: `{c['source']}`" + (f" (first {c['max_lines']:,} lines)" if c["max_lines"] else "")
             + f", {c['lines']:,} lines, {c['tokens']:,} tokens (wc -w).")
    L.append("Settings for every tool: dim 100, ws 5, neg 5 (loss ns), epoch 5, minCount 5, 2 threads, "
             "subsampling t = 1e-4; lr = each tool's default (fastText 0.05, gensim alpha 0.025, Lexel "
             "fastText's); negatives drawn from count^p with each tool's default p (fastText 0.5, gensim 0.75, "
             "Lexel 0.5); subwords minn 3 maxn 6 bucket 2M where used. Tools alternate within each config"
             + (f", {args.repeats} repeats (medians shown, start tool rotated)" if args.repeats > 1 else "") + ".")
    L.append("")
    L.append(f"words/sec/thread = tokens ({c['tokens']:,}) x epochs ({COMMON['epoch']}) / training wall s / "
             f"threads ({COMMON['threads']}). Training wall: fastText = `train_unsupervised` call, gensim = "
             "model constructor (vocab + train, `corpus_file` mode), both timed inside the child; Lexel = "
             "whole process wall (includes reading, vocab and writing the model, so it is pessimistic for "
             f"Lexel). Peak RSS of the whole child process ({meta['rss_method']}); the Python peers' figures "
             "include the interpreter and imports.")
    L.append("")
    L.append("Quality: one numpy evaluator for every `.vec` (word2vec text, frequency order). WS353 = Spearman "
             "rho over pairs with both words in the vocabulary (OOV pairs skipped, count in brackets). "
             "Analogy = 3CosAdd on unit vectors over the 30,000 most frequent words, question words excluded "
             "from the answers; questions with a word outside the 30k are skipped (answered count in brackets); "
             "sem / syn = semantic / `gram*` sections.")
    L.append("")
    L.append("| tool | config | words/sec/thread | wall s | peak RSS MB | WS353 rho (oov pairs) | "
             "analogy % (answered) | sem / syn % |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for cfg in meta["configs"]:
        for tool in meta["tools"]:
            s = summ.get((cfg, tool))
            if s is None:
                continue
            if not s["ok"]:
                L.append(f"| {tool} | {cfg} | failed: {s.get('error') or '?'} | | | | | |")
                continue
            L.append(f"| {tool} | {cfg} | {fmt(s['wps_thread'], ',.0f')} | {fmt(s['train_wall'], '.1f')} | "
                     f"{fmt(s['peak_rss_mb'], '.0f')} | {fmt(s['ws353_rho'], '.3f')} ({s['ws353_oov_pairs']}) | "
                     f"{fmt(s['analogy_acc'], '.1f')} ({s['analogy_answered']:,}) | "
                     f"{fmt(s['analogy_sem_acc'], '.1f')} / {fmt(s['analogy_syn_acc'], '.1f')} |")
    L.append("")
    L.append("Config: " + "; ".join(f"`{k}` = {CONFIG_DESC[k]}" for k in meta["configs"]) + ".")
    L.append("")
    ratio_lines = []
    for cfg in meta["configs"]:
        lx = summ.get((cfg, "lexel"))
        peers = [(t, summ[(cfg, t)]) for t in meta["tools"] if t != "lexel" and summ.get((cfg, t), {}).get("ok")]
        if not lx or not lx.get("ok") or not peers:
            continue
        best_t, best = max(peers, key=lambda p: p[1]["wps_thread"])
        ratio_lines.append(f"- {cfg}: Lexel / {best_t} (faster peer) = "
                           f"{lx['wps_thread'] / best['wps_thread']:.2f}x words/sec/thread")
    if ratio_lines:
        L.append("Speed ratios:")
        L.append("")
        L.extend(ratio_lines)
    else:
        L.append("Speed ratios: Lexel was not run (binary missing or not selected), so no Lexel / peer ratio.")
    L.append("")
    if cross:
        L.append(f"Evaluator cross-check against gensim `evaluate_word_pairs` / "
                 f"`evaluate_word_analogies(restrict_vocab=30000)` on {cross['tool']} {cross['config']}: "
                 f"WS353 {cross['ours_ws353_rho']:.4f} vs {cross['gensim_ws353_rho']:.4f}, analogy "
                 f"{cross['ours_analogy_acc']:.2f}% ({cross['ours_analogy_answered']}) vs "
                 f"{cross['gensim_analogy_acc']:.2f}% ({cross['gensim_analogy_answered']}): "
                 + ("agree." if cross["agree"] else "DISAGREE."))
        L.append("")
    L.append(f"Raw results: `{meta['results_json']}`.")
    L.append("")
    section = "\n".join(L)

    path = os.path.join(ROOT, args.readme)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    lines = old.split("\n")
    start = next((i for i, l in enumerate(lines) if l.strip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + section
    else:
        end = next((j for j in range(start + 1, len(lines)) if re.match(r"^## ", lines[j])), len(lines))
        before = "\n".join(lines[:start]).rstrip("\n")
        after = "\n".join(lines[end:]).strip("\n")
        new = (before + "\n\n" if before else "") + section + ("\n" + after + "\n" if after else "")
    with open(path, "w", encoding="utf-8") as f:
        f.write(new.rstrip("\n") + "\n")
    return path, section


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="../shared/data/corpus/words-en.txt.zst",
                    help="corpus (.zst or plain), relative to the repo root")
    ap.add_argument("--max-lines", type=int, default=None, help="use only the first N lines (quick runs)")
    ap.add_argument("--lexel", default=".build/release/lexel", help="Lexel binary (relative to the repo root)")
    ap.add_argument("--tools", default="fasttext,gensim,lexel")
    ap.add_argument("--configs", default="sg-sub,sg,cbow")
    ap.add_argument("--repeats", type=int, default=1, help="runs per (config, tool); medians reported")
    ap.add_argument("--wordsim", default="../shared/data/eval/wordsim353.tsv")
    ap.add_argument("--analogies", default="../shared/data/eval/questions-words.txt")
    ap.add_argument("--readme", default="Benchmarks/README.md")
    ap.add_argument("--results-dir", default="Benchmarks/results")
    ap.add_argument("--workdir", default=None, help="where corpus copy and models go (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work dir (models, logs)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per training run")
    ap.add_argument("--cross-check", choices=["first", "all", "none"], default="first",
                    help="compare our evaluator with gensim's on the first / every model")
    ap.add_argument("--no-report", action="store_true", help="do not touch Benchmarks/ (print only)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        return child_main(args.child, args.spec)

    os.chdir(ROOT)
    t_start = time.perf_counter()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    for t in tools:
        if t not in ALL_TOOLS:
            ap.error(f"unknown tool {t!r} (known: {','.join(ALL_TOOLS)})")
    for c in configs:
        if c not in CONFIGS:
            ap.error(f"unknown config {c!r} (known: {','.join(CONFIGS)})")

    global GNU_TIME
    GNU_TIME = find_gnu_time()
    if GNU_TIME:
        rss_method = f"GNU time %M ({GNU_TIME})"
    else:
        rss_method = "VmHWM polled every 50 ms"
        log("GNU time not found (install it with `apt-get install -y time`); polling /proc/PID/status VmHWM instead")

    lexel = os.path.abspath(args.lexel)
    if "lexel" in tools and not os.access(lexel, os.X_OK):
        log(f"WARNING: Lexel binary {args.lexel} not found or not executable; skipping Lexel "
            f"(build it with `swift build -c release`)")
        tools.remove("lexel")
    for t, mod in (("fasttext", "fasttext"), ("gensim", "gensim")):
        if t in tools:
            try:
                __import__(mod)
            except ImportError:
                log(f"WARNING: python module {mod} not importable in {sys.executable}; skipping {t} "
                    f"(run tools/peers/setup_venv.sh and use tools/.venv/bin/python)")
                tools.remove(t)
    if not tools:
        log("nothing to run")
        return 1

    versions = {"fasttext": _dist_version("fasttext") or _dist_version("fasttext-wheel"),
                "gensim": _dist_version("gensim"), "numpy": _dist_version("numpy"),
                "scipy": _dist_version("scipy")}
    versions = {k: v for k, v in versions.items() if v}
    if "lexel" in tools:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        versions["lexel"] = ("git " + rev.stdout.strip()) if rev.returncode == 0 else "uncommitted working tree"

    workdir = args.workdir or tempfile.mkdtemp(prefix="bench-words-")
    os.makedirs(workdir, exist_ok=True)
    log(f"work dir {workdir}")
    corpus_txt = os.path.join(workdir, "corpus.txt")
    t0 = time.perf_counter()
    n_lines, n_tokens = prepare_corpus(args.corpus, corpus_txt, args.max_lines)
    log(f"corpus: {n_lines:,} lines, {n_tokens:,} tokens -> {corpus_txt} ({time.perf_counter() - t0:.1f}s)")

    date = _dt.date.today().isoformat()
    results_json = os.path.join(args.results_dir, f"words-{date}.json")
    meta = dict(date=date, command=" ".join(shlex.quote(a) for a in
                                            [os.path.relpath(sys.executable, ROOT)
                                             if sys.executable.startswith(ROOT) else sys.executable,
                                             os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)] + sys.argv[1:]),
                machine=machine_info(), versions=versions, tools=tools, configs=configs,
                corpus=dict(source=args.corpus, max_lines=args.max_lines, lines=n_lines, tokens=n_tokens),
                common=COMMON, rss_method=rss_method, results_json=results_json,
                formula="words/sec/thread = tokens(wc -w) * epochs / training_wall_s / threads")

    runs, cross = [], None
    total_runs = len(configs) * len(tools) * args.repeats
    k = 0
    for cfg in configs:
        model, subwords = CONFIGS[cfg]
        for rep in range(args.repeats):
            order = tools[rep % len(tools):] + tools[:rep % len(tools)]
            for tool in order:
                k += 1
                tag = f"{cfg}-{tool}-r{rep}"
                prefix = os.path.join(workdir, tag)
                vec = prefix + ".vec"
                log(f"[{k}/{total_runs}] {tool} {cfg} ({CONFIG_DESC[cfg]}) repeat {rep + 1}/{args.repeats} ...")
                if tool == "lexel":
                    cmd = [lexel, model, "-input", corpus_txt, "-output", prefix, "-dim", str(COMMON["dim"]),
                           "-ws", str(COMMON["ws"]), "-epoch", str(COMMON["epoch"]),
                           "-minCount", str(COMMON["min_count"]), "-neg", str(COMMON["neg"]), "-loss", "ns",
                           "-minn", str(COMMON["minn"]), "-maxn", str(COMMON["maxn"] if subwords else 0),
                           "-thread", str(COMMON["threads"]), "-t", str(COMMON["t"]), "-verbose", "0",
                           "-seed", str(COMMON["seed"])]
                else:
                    spec = dict(input=corpus_txt, vec=vec, model=model, subwords=subwords, common=COMMON)
                    cmd = [sys.executable, os.path.abspath(__file__), "--child", tool, "--spec", json.dumps(spec)]
                r = run_measured(cmd, prefix + ".log", timeout=args.timeout)
                rec = dict(config=cfg, tool=tool, repeat=rep, model=model, subwords=subwords,
                           cmd=cmd if tool == "lexel" else f"child: {tool} {model} subwords={subwords}",
                           rc=r["rc"], process_wall=r["wall"], peak_rss_mb=r["peak_rss_mb"], ok=False)
                if tool == "lexel":
                    rec["train_wall"] = r["wall"]
                else:
                    m = re.search(r"^BENCH_RESULT (.*)$", r["stdout"] or "", re.M)
                    if m:
                        rec.update(json.loads(m.group(1)))
                if r["rc"] != 0 or rec.get("train_wall") is None or not os.path.exists(vec):
                    tail = ""
                    try:
                        tail = open(prefix + ".log").read()[-800:]
                    except Exception:
                        pass
                    rec["error"] = f"rc={r['rc']}" + ("" if os.path.exists(vec) else ", no .vec")
                    log(f"    FAILED ({rec['error']}) after {r['wall']:.1f}s; log tail:\n{tail}")
                    runs.append(rec)
                    continue
                rec["wps_thread"] = n_tokens * COMMON["epoch"] / rec["train_wall"] / COMMON["threads"]
                te = time.perf_counter()
                ev = evaluate(vec, args.wordsim, args.analogies)
                rec.update(ev)
                rec["vec_vocab"] = ev["vocab"]
                rec["ok"] = True
                log(f"    train {rec['train_wall']:.1f}s (process {r['wall']:.1f}s), "
                    f"{rec['wps_thread']:,.0f} words/sec/thread, peak RSS "
                    f"{fmt(rec['peak_rss_mb'], '.0f')} MB, vocab {ev['vocab']:,}; WS353 {ev['ws353_rho']:.3f} "
                    f"({ev['ws353_oov_pairs']} oov pairs), analogy {ev['analogy_acc']:.1f}% "
                    f"({ev['analogy_answered']:,} answered; sem {ev['analogy_sem_acc']:.1f} / syn "
                    f"{ev['analogy_syn_acc']:.1f}) [eval {time.perf_counter() - te:.1f}s]")
                if args.cross_check == "all" or (args.cross_check == "first" and cross is None):
                    try:
                        cc = gensim_cross_check(vec, args.wordsim, args.analogies, ev)
                        cc.update(tool=tool, config=cfg)
                        rec["cross_check"] = cc
                        cross = cross or cc
                        log(f"    cross-check vs gensim: WS353 {cc['gensim_ws353_rho']:.4f} (ours "
                            f"{cc['ours_ws353_rho']:.4f}), analogy {cc['gensim_analogy_acc']:.2f}% of "
                            f"{cc['gensim_analogy_answered']} (ours {cc['ours_analogy_acc']:.2f}% of "
                            f"{cc['ours_analogy_answered']}) -> {'agree' if cc['agree'] else 'DISAGREE'}")
                    except Exception as e:  # gensim missing etc.
                        log(f"    cross-check skipped: {e}")
                runs.append(rec)

    meta["total_wall_s"] = time.perf_counter() - t_start
    if not args.no_report:
        os.makedirs(args.results_dir, exist_ok=True)
        with open(results_json, "w") as f:
            json.dump(dict(meta=meta, runs=runs, cross_check=cross,
                           summary=[dict(config=c, tool=t, **s) for (c, t), s in summarize(runs).items()]),
                      f, indent=1)
        path, section = write_report(args, meta, runs, cross)
        log(f"wrote {os.path.relpath(path, ROOT)} and {results_json}")
        print()
        print(section)
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        log(f"kept {workdir}")
    log(f"done in {meta['total_wall_s']:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
