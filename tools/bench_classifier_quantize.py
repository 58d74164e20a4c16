#!/usr/bin/env python3
"""Lexel against fastText on classifier quantisation, side by side in one run (issue #11): for each flag set,
trains a classifier with each tool (same flags and threads), quantises it with each tool's quantizer and the same
quantisation flags (-qnorm -retrain -cutoff 100000, retraining 5 epochs at lr 0.05: fastText's CLI defaults), and
reports P@1 before and after, the drop, the .ftz size and the quantisation time. Cross-checks: the `fasttext`
package opens Lexel's .ftz and predicts the same top label on every test line (probabilities within 1e-4), and
`lexel test` on fastText's .ftz gives fastText's P@1. Writes out/bench-classifier/quantize.json.
Run: tools/.venv/bin/python tools/bench_classifier_quantize.py [--set paragraph-source] [--threads 2]"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexel_tools as lt  # noqa: E402
from bench_classifier_train import parse_common, split_file  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FLAGS = {"defaults": {}, "wordNgrams 2": {"wordNgrams": 2}}
QUANT = {"qnorm": True, "retrain": True, "cutoff": 100000, "epoch": 5, "lr": 0.05}


def lexel_p1(lexel, model, test):
    """P@1 at full precision (`lexel test` prints 3 decimals, as fastText): the top label of every line against its labels."""
    lines = open(test, encoding="utf-8").read().splitlines()
    out = subprocess.run([lexel, "predict", model, test], check=True, capture_output=True, text=True).stdout.splitlines()
    gold = [[w for w in line.split() if w.startswith("__label__")] for line in lines]
    return sum(1 for p, g in zip(out, gold) if p.split()[0] in g) / len(lines)


def lexel_quantize(lexel, prefix, train, threads):
    t = time.perf_counter()
    subprocess.run([lexel, "quantize", "-output", prefix, "-input", train, "-qnorm", "-retrain", "-cutoff", str(QUANT["cutoff"]),
                    "-epoch", str(QUANT["epoch"]), "-lr", str(QUANT["lr"]), "-thread", str(threads), "-verbose", "0"], check=True)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="paragraph-source")
    ap.add_argument("--flags", default=",".join(FLAGS))
    args = parse_common(ap)
    import fasttext
    train, test = split_file(args.work, args.set, "train"), split_file(args.work, args.set, "test")
    lines = [line.rstrip("\n") for line in open(test, encoding="utf-8")]
    texts = [" ".join(w for w in line.split() if not w.startswith("__label__")) for line in lines]
    rows = []
    print(f"Quantisation flags for both: -qnorm -retrain -cutoff {QUANT['cutoff']} -epoch {QUANT['epoch']} -lr {QUANT['lr']} "
          f"-thread {args.threads}; set {args.set}.")
    print("| flags | tool | P@1 dense | P@1 .ftz | drop | .ftz bytes | quantize s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for flags in args.flags.split(","):
        kw = FLAGS[flags]
        ft_prefix, lx_prefix = os.path.join(args.work, "q-fasttext"), os.path.join(args.work, "q-lexel")
        m = None
        for seed in range(10):  # fastText sometimes stops with "Encountered NaN"
            try:
                m = fasttext.train_supervised(train, thread=args.threads, verbose=0, seed=seed, **kw)
                break
            except RuntimeError as e:
                lt.log(f"fastText {flags} seed {seed}: {e}")
        ft_dense = m.test(test)[1]
        m.save_model(os.path.join(args.work, "q-same.bin"))  # the same dense model, for Lexel's quantizer
        t = time.perf_counter()
        m.quantize(input=train, qnorm=QUANT["qnorm"], retrain=QUANT["retrain"], cutoff=QUANT["cutoff"], epoch=QUANT["epoch"],
                   lr=QUANT["lr"], thread=args.threads, verbose=0)
        m.save_model(ft_prefix + ".ftz")
        ft_s = time.perf_counter() - t
        ft_q = m.test(test)[1]
        lx_on_ft = lexel_p1(args.lexel, ft_prefix + ".ftz", test)

        cmd = [args.lexel, "supervised", "-input", train, "-output", lx_prefix, "-thread", str(args.threads), "-verbose", "0"]
        for k, v in kw.items():
            cmd += [f"-{k}", str(v)]
        subprocess.run(cmd, check=True)
        lx_dense = lexel_p1(args.lexel, lx_prefix + ".bin", test)
        lx_s = lexel_quantize(args.lexel, lx_prefix, train, args.threads)
        lx_q = lexel_p1(args.lexel, lx_prefix + ".ftz", test)
        same_prefix = os.path.join(args.work, "q-same")
        same_s = lexel_quantize(args.lexel, same_prefix, train, args.threads)
        same_q = lexel_p1(args.lexel, same_prefix + ".ftz", test)

        # fastText opens Lexel's .ftz: the same top label on every line, probabilities within 1e-4
        loaded = fasttext.load_model(lx_prefix + ".ftz")
        ft_labels, ft_probs = loaded.predict(texts, k=1)
        out = subprocess.run([args.lexel, "predict-prob", lx_prefix + ".ftz", "-"], input="\n".join(texts) + "\n",
                             check=True, capture_output=True, text=True).stdout.splitlines()
        same = sum(1 for a, p, b in zip(ft_labels, ft_probs, out) if b.split() and a[0] == b.split()[0] and abs(p[0] - float(b.split()[1])) <= 1e-4)
        sizes = {tool: os.path.getsize(p + ".ftz") for tool, p in (("fastText", ft_prefix), ("Lexel", lx_prefix), ("same", same_prefix))}
        for tool, dense, q, s in (("fastText", ft_dense, ft_q, ft_s), ("Lexel quantize on fastText's .bin", ft_dense, same_q, same_s),
                                  ("Lexel (own model)", lx_dense, lx_q, lx_s)):
            tool_key = {"fastText": "fastText", "Lexel (own model)": "Lexel"}.get(tool, "same")
            print(f"| {flags} | {tool} | {dense:.4f} | {q:.4f} | {dense - q:+.4f} | {sizes[tool_key]:,} | {s:.1f} |", flush=True)
        print(f"|  | cross-checks | fasttext on Lexel's .ftz: same top label and probability on {same:,} of {len(texts):,} lines | "
              f"lexel test on fastText's .ftz: {lx_on_ft:.4f} (fastText: {ft_q:.4f}) | | | |", flush=True)
        rows.append({"flags": flags, "fasttext": {"dense_p1": ft_dense, "ftz_p1": ft_q, "bytes": sizes["fastText"], "seconds": ft_s},
                     "lexel": {"dense_p1": lx_dense, "ftz_p1": lx_q, "bytes": sizes["Lexel"], "seconds": lx_s},
                     "lexel_on_fasttext_bin": {"dense_p1": ft_dense, "ftz_p1": same_q, "bytes": sizes["same"], "seconds": same_s},
                     "lines": len(texts), "fasttext_agrees_on_lexel_ftz": same, "lexel_p1_on_fasttext_ftz": lx_on_ft})
    lt.write_json(os.path.join(args.work, "quantize.json"), {"machine": lt.machine_info(), "set": args.set, "threads": args.threads,
                                                             "quantization": QUANT, "rows": rows})


if __name__ == "__main__":
    main()
