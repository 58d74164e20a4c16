#!/usr/bin/env python3
"""Lexel against fastText on supervised training, side by side in one run (issue #11): for each data set and
flag set, trains fastText (the `fasttext` package) and `lexel supervised` with the same flags and threads,
then reports each one's P@1 on the test file (`lexel test` / fastText's `test`), the training time, and the
training throughput in tokens/s/thread (epoch x tokens / seconds / threads). Writes out/bench-classifier/train.json.
Run: tools/.venv/bin/python tools/bench_classifier_train.py [--sets trec-6,sentence-polarity,paragraph-source]
     [--threads 2] [--lexel .build/release/lexel]"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexel_tools as lt  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
EVAL = os.path.join(ROOT, "..", "shared", "data", "eval")
FLAGS = {  # name -> fastText keyword arguments (the same flags are passed to lexel supervised)
    "defaults": {},
    "wordNgrams 2": {"wordNgrams": 2},
    "epoch 25": {"epoch": 25},
    "epoch 25, wordNgrams 2": {"epoch": 25, "wordNgrams": 2},
    "epoch 25, hs": {"epoch": 25, "loss": "hs"},
    "epoch 25, ns": {"epoch": 25, "loss": "ns"},
    "epoch 25, ova": {"epoch": 25, "loss": "ova"},
}
PLAN = {
    "trec-6": list(FLAGS),
    "sentence-polarity": ["defaults", "wordNgrams 2", "epoch 25", "epoch 25, wordNgrams 2"],
    "paragraph-source": ["defaults", "wordNgrams 2"],
}


def split_file(work, name, split):
    path = os.path.join(EVAL, name, split + ".txt")
    if os.path.exists(path):
        return path
    out = os.path.join(work, f"{name}-{split}.txt")
    lt.cached_file(out, key=os.path.getsize(path + ".zst"), build=lambda p: lt.write_text(p, "".join(lt.read_lines(path + ".zst"))))
    return out


def parse_common(ap):
    """The options every classifier benchmark takes (threads, the lexel binary, the work folder), parsed; the work
    folder is created."""
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lexel", default=os.path.join(ROOT, ".build", "release", "lexel"))
    ap.add_argument("--work", default=os.path.join(ROOT, "out", "bench-classifier"))
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    return args


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default=",".join(PLAN))
    args = parse_common(ap)
    import fasttext
    rows = []
    print("Times include writing the model (fastText's save_model, Lexel's PREFIX.bin).")
    print(f"| set | flags | fastText P@1 | Lexel P@1 | fastText tokens/s/thread | Lexel tokens/s/thread | speed ratio | fastText NaN runs |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name in args.sets.split(","):
        train, test = split_file(args.work, name, "train"), split_file(args.work, name, "test")
        tokens = sum(len(line.split()) + 1 for line in open(train, encoding="utf-8"))
        for flags in PLAN[name]:
            kw = FLAGS[flags]
            epoch = kw.get("epoch", 5)
            m, ft_s, failures = None, None, 0
            prefix = os.path.join(args.work, "model")
            for seed in range(10):  # fastText sometimes stops with "Encountered NaN" (rows it leaves uninitialised)
                try:
                    t = time.perf_counter()
                    m = fasttext.train_supervised(train, thread=args.threads, verbose=0, seed=seed, **kw)
                    m.save_model(prefix + "-fasttext.bin")  # timed too: `lexel supervised` writes its model
                    ft_s = time.perf_counter() - t
                    break
                except RuntimeError as e:
                    failures += 1
                    lt.log(f"fastText {name} {flags} seed {seed}: {e}")
            ft_p1 = m.test(test)[1] if m else float("nan")
            cmd = [args.lexel, "supervised", "-input", train, "-output", prefix, "-thread", str(args.threads), "-verbose", "0"]
            for k, v in kw.items():
                cmd += [f"-{k}", str(v)]
            t = time.perf_counter()
            subprocess.run(cmd, check=True)
            lx_s = time.perf_counter() - t
            out = subprocess.run([args.lexel, "test", prefix + ".bin", test], check=True, capture_output=True, text=True).stdout
            lx_p1 = float(out.split("\n")[1].split("\t")[1])
            ft_rate = epoch * tokens / ft_s / args.threads if ft_s else float("nan")
            lx_rate = epoch * tokens / lx_s / args.threads
            rows.append({"set": name, "flags": flags, "fasttext_nan_failures": failures, "fasttext_p1": ft_p1, "lexel_p1": lx_p1, "fasttext_seconds": ft_s,
                         "lexel_seconds": lx_s, "tokens": tokens, "epoch": epoch, "threads": args.threads})
            print(f"| {name} | {flags} | {ft_p1:.3f} | {lx_p1:.3f} | {ft_rate:,.0f} | {lx_rate:,.0f} | {lx_rate / ft_rate:.2f}x | {failures} |",
                  flush=True)
    lt.write_json(os.path.join(args.work, "train.json"), {"machine": lt.machine_info(), "rows": rows})


if __name__ == "__main__":
    main()
