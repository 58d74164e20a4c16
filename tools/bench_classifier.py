#!/usr/bin/env python3
"""Lexel against fastText on text classification, side by side in one run (issue #11). For now: prediction.
Trains a fastText model (the Python package, default supervised flags) on ../shared/data/eval/paragraph-source,
then times fastText's CLI `predict` (Debian's fasttext 0.9.2, `apt-get install fasttext`) and `lexel predict` at
1 and 2 threads on the test file (alternating, --repeats times), checks that both give the same label on every
line, and prints a table (lines/s, ratios) and writes out/bench-classifier/results.json.
Run: tools/.venv/bin/python tools/bench_classifier.py [--repeats 3] [--lexel .build/release/lexel]"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexel_tools as lt  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "..", "shared", "data", "eval", "paragraph-source")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--lexel", default=os.path.join(ROOT, ".build", "release", "lexel"))
    ap.add_argument("--work", default=os.path.join(ROOT, "out", "bench-classifier"))
    args = ap.parse_args()
    fasttext_cli = shutil.which("fasttext")
    if not fasttext_cli:
        sys.exit("fastText's CLI is missing: apt-get install fasttext")
    os.makedirs(args.work, exist_ok=True)
    files = {}
    for split in ("train", "test"):
        path = os.path.join(args.work, split + ".txt")
        lt.cached_file(path, key=os.path.getsize(os.path.join(DATA, split + ".txt.zst")),
                       build=lambda p, s=split: lt.write_text(p, "".join(lt.read_lines(os.path.join(DATA, s + ".txt.zst")))))
        files[split] = path
    model = os.path.join(args.work, "model.bin")

    def train(p):
        import fasttext
        m = fasttext.train_supervised(files["train"], thread=2, verbose=0)
        m.save_model(p)
        return {"labels": len(m.get_labels()), "words": len(m.get_words())}
    lt.cached_file(model, key="default supervised flags, thread 2", build=train)
    lines = sum(1 for _ in open(files["test"], encoding="utf-8"))

    def timed(cmd, out):
        t = time.perf_counter()
        with open(out, "wb") as f:
            subprocess.run(cmd, stdout=f, check=True)
        return lines / (time.perf_counter() - t)

    runs = {"fastText CLI 0.9.2, 1 thread": [], "Lexel, 1 thread": [], "Lexel, 2 threads": []}
    outs = {k: os.path.join(args.work, f"predict-{i}.txt") for i, k in enumerate(runs)}
    cmds = {"fastText CLI 0.9.2, 1 thread": [fasttext_cli, "predict", model, files["test"]],
            "Lexel, 1 thread": [args.lexel, "predict", model, files["test"]],
            "Lexel, 2 threads": [args.lexel, "predict", model, files["test"], "--threads", "2"]}
    for r in range(args.repeats):
        order = list(runs) if r % 2 == 0 else list(reversed(runs))
        for k in order:
            runs[k].append(timed(cmds[k], outs[k]))
    same = [open(outs[k], "rb").read() == open(outs["fastText CLI 0.9.2, 1 thread"], "rb").read() for k in runs]
    base = statistics.median(runs["fastText CLI 0.9.2, 1 thread"])
    print(f"paragraph-source test: {lines} lines; model {os.path.getsize(model) / 1e6:.0f} MB; "
          f"{lt.machine_info()['cpu']}, {lt.machine_info()['cpus']} CPUs")
    print("| predictor | lines/s (median of %d) | vs fastText | same labels on every line |" % args.repeats)
    print("|---|---:|---:|---|")
    for (k, v), s in zip(runs.items(), same):
        med = statistics.median(v)
        print(f"| {k} | {med:,.0f} | {med / base:.2f}x | {'yes' if s else 'NO'} |")
    lt.write_json(os.path.join(args.work, "results.json"), {"lines": lines, "runs": runs, "same": same})


if __name__ == "__main__":
    main()
