#!/usr/bin/env python3
"""Side-by-side word-vector training benchmark: Lexel vs fastText vs gensim.

Run with the peers' venv (made by tools/peers/setup_venv.sh), from the repo root:

    tools/.venv/bin/python tools/bench_words.py                       # full run, all tools/configs
    tools/.venv/bin/python tools/bench_words.py --tools fasttext,gensim --max-lines 20000   # quick

Every training runs in its own child process (peak RSS per run via GNU time, or by polling VmHWM).
Training wall: for the Python peers the train call is timed inside the child (vocab build + training,
what fastText's train_unsupervised and gensim's constructor do); for Lexel it is the whole process
wall (read + vocab + train + write), i.e. pessimistic for Lexel.
Every model is saved as word2vec text (.vec) and judged by the one numpy evaluator (benchwords/evaluate.py)
(WordSim353 Spearman, 3CosAdd analogies over the 30k most frequent words).
Results: a section "## Word vectors: side by side" in Benchmarks/README.md and raw JSON in
Benchmarks/results/words-<date>.json.
"""
import argparse
import datetime as _dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from benchwords import ALL_TOOLS, COMMON, CONFIG_DESC, CONFIGS
from benchwords.child import child_main, dist_version
from benchwords.evaluate import evaluate, gensim_cross_check
from benchwords.measure import find_gnu_time, run_measured
from benchwords.report import fmt, summarize, write_report
from lexel_tools import ROOT, atomic_open, log, machine_info, read_lines, write_json


def prepare_corpus(src, dst, max_lines):
    """Copies the first max_lines lines of src (.zst or plain) to dst, decompressed. Returns (lines, tokens)."""
    lines = tokens = 0
    with atomic_open(dst, "w") as out:
        for line in read_lines(src, limit=max_lines):
            if not line.endswith("\n"):
                line += "\n"
            out.write(line)
            lines += 1
            tokens += len(line.split())  # == wc -w for this ASCII corpus
    return lines, tokens


def machine():
    m = machine_info()
    return dict(nproc=m["cpus"], cpu=m["cpu"], mem_gb=m["mem_gb"], kernel=m["kernel"], python=m["python"])


def parse_args():
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
    args.tool_list = [t.strip() for t in args.tools.split(",") if t.strip()]
    args.config_list = [c.strip() for c in args.configs.split(",") if c.strip()]
    for t in args.tool_list:
        if t not in ALL_TOOLS:
            ap.error(f"unknown tool {t!r} (known: {','.join(ALL_TOOLS)})")
    for c in args.config_list:
        if c not in CONFIGS:
            ap.error(f"unknown config {c!r} (known: {','.join(CONFIGS)})")
    return args


def available_tools(args, lexel):
    """The selected tools that can run here (a missing binary or Python module is skipped with a warning)."""
    tools = list(args.tool_list)
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
    return tools


def train_command(tool, model, subwords, corpus_txt, prefix, lexel):
    if tool == "lexel":
        return [lexel, model, "-input", corpus_txt, "-output", prefix, "-dim", str(COMMON["dim"]),
                "-ws", str(COMMON["ws"]), "-epoch", str(COMMON["epoch"]),
                "-minCount", str(COMMON["min_count"]), "-neg", str(COMMON["neg"]), "-loss", "ns",
                "-minn", str(COMMON["minn"]), "-maxn", str(COMMON["maxn"] if subwords else 0),
                "-thread", str(COMMON["threads"]), "-t", str(COMMON["t"]), "-verbose", "0",
                "-seed", str(COMMON["seed"])]
    spec = dict(input=corpus_txt, vec=prefix + ".vec", model=model, subwords=subwords, common=COMMON)
    return [sys.executable, os.path.abspath(__file__), "--child", tool, "--spec", json.dumps(spec)]


def one_run(args, cfg, tool, rep, prefix, cmd, gnu_time, n_tokens, cross_check):
    """Trains one model, judges its .vec; returns the run record (rec["cross_check"] when cross_check)."""
    model, subwords = CONFIGS[cfg]
    vec = prefix + ".vec"
    r = run_measured(cmd, prefix + ".log", gnu_time, timeout=args.timeout)
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
        return rec
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
    if cross_check:
        try:
            cc = gensim_cross_check(vec, args.wordsim, args.analogies, ev)
            cc.update(tool=tool, config=cfg)
            rec["cross_check"] = cc
            log(f"    cross-check vs gensim: WS353 {cc['gensim_ws353_rho']:.4f} (ours "
                f"{cc['ours_ws353_rho']:.4f}), analogy {cc['gensim_analogy_acc']:.2f}% of "
                f"{cc['gensim_analogy_answered']} (ours {cc['ours_analogy_acc']:.2f}% of "
                f"{cc['ours_analogy_answered']}) -> {'agree' if cc['agree'] else 'DISAGREE'}")
        except Exception as e:  # gensim missing etc.
            log(f"    cross-check skipped: {e}")
    return rec


def main():
    args = parse_args()
    if args.child:
        return child_main(args.child, args.spec)

    os.chdir(ROOT)
    t_start = time.perf_counter()
    configs = args.config_list
    gnu_time = find_gnu_time()
    if gnu_time:
        rss_method = f"GNU time %M ({gnu_time})"
    else:
        rss_method = "VmHWM polled every 50 ms"
        log("GNU time not found (install it with `apt-get install -y time`); polling /proc/PID/status VmHWM instead")

    lexel = os.path.abspath(args.lexel)
    tools = available_tools(args, lexel)
    if not tools:
        log("nothing to run")
        return 1

    versions = {"fasttext": dist_version("fasttext") or dist_version("fasttext-wheel"),
                "gensim": dist_version("gensim"), "numpy": dist_version("numpy"),
                "scipy": dist_version("scipy")}
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
                machine=machine(), versions=versions, tools=tools, configs=configs,
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
                prefix = os.path.join(workdir, f"{cfg}-{tool}-r{rep}")
                log(f"[{k}/{total_runs}] {tool} {cfg} ({CONFIG_DESC[cfg]}) repeat {rep + 1}/{args.repeats} ...")
                cmd = train_command(tool, model, subwords, corpus_txt, prefix, lexel)
                check = args.cross_check == "all" or (args.cross_check == "first" and cross is None)
                runs.append(one_run(args, cfg, tool, rep, prefix, cmd, gnu_time, n_tokens, check))
                cross = cross or runs[-1].get("cross_check")

    meta["total_wall_s"] = time.perf_counter() - t_start
    if not args.no_report:
        os.makedirs(args.results_dir, exist_ok=True)
        write_json(results_json, dict(meta=meta, runs=runs, cross_check=cross,
                                      summary=[dict(config=c, tool=t, **s) for (c, t), s in summarize(runs).items()]))
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

