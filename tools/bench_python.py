#!/usr/bin/env python3
"""The Python package's speed (issue #13), side by side in one run:

  1. `lexel.Embedder.encode` on --docs paragraphs (a Python list, and a pyarrow array) against `lexel embed` on the
     same paragraphs with the same threads: the CLI's marginal rate (wall clock minus a 1-document run, so that
     start-up and the model's mapping are left out), and its in-process rate (--profile).
  2. The GIL: one Python thread calling encode(threads=1) against two threads calling it at once (threads=1 each):
     the speed-up (2.0 would be perfect scaling; 1.0 would mean the GIL serialised them).
  3. luxical 1.1.2's Python `Embedder` against `lexel.Embedder` on the same Luxical .npz and texts (--npz; made by
     `tools/bench_lexical.py --build-only --dims ...`, luxical's own initialisation and save). Needs luxical: run
     with tools/.venv-luxical/bin/python, with the lexel wheel installed there (pip install --no-deps).

Run:
  make wheel && tools/.venv-luxical/bin/pip install --no-deps --force-reinstall .build/wheel/lexel-*.whl
  tools/.venv-luxical/bin/python tools/bench_lexical.py --build-only --dims 96,2048,192 --work-dir out/bench-python
  tools/.venv-luxical/bin/python tools/bench_python.py --npz out/bench-python/model-*.npz
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from lexel_tools import DATA, read_jsonl  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--docs", type=int, default=10000)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--repeats", type=int, default=3, help="timed runs per side; the best is reported")
ap.add_argument("--lexel", default=os.path.join(ROOT, ".build", "release", "lexel"))
ap.add_argument("--model", default=os.path.join(ROOT, "vocab", "lexel-minilm-distilled.lxm"))
ap.add_argument("--npz", help="a Luxical .npz for the luxical comparison (skipped without it)")
ap.add_argument("--json", help="write the results here")
ARGS = ap.parse_args()
for var in ("NUMBA_NUM_THREADS", "RAYON_NUM_THREADS", "RAYON_RS_NUM_CPUS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

import lexel  # noqa: E402


def best(f, repeats=ARGS.repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def cli_rates(texts, model, work):
    """`lexel embed` docs/s: marginal (wall(n) - wall(1)) and in-process (--profile)."""
    def write(name, rows):
        path = os.path.join(work, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(json.dumps({"text": t}) + "\n" for t in rows))
        return path
    full, one = write("docs.jsonl", texts), write("one.jsonl", texts[:1])
    cmd = [ARGS.lexel, "embed", "--model", model, "--threads", str(ARGS.threads), "--quiet", "--output",
           os.path.join(work, "out.npy")]
    wall_full = best(lambda: subprocess.run(cmd + [full], check=True))
    wall_one = best(lambda: subprocess.run(cmd + [one], check=True))
    prof = subprocess.run(cmd[:-3] + ["--profile", "--output", os.path.join(work, "out.npy"), full], capture_output=True,
                          text=True, check=True).stderr
    m = re.search(r"([\d.]+) docs/s", prof)
    rate = float(m.group(1)) if m else None
    return len(texts) / (wall_full - wall_one), rate, [line for line in prof.splitlines() if "docs/s" in line]


def main():
    texts = [t.replace("\n", " ") for t in read_jsonl(os.path.join(DATA, "corpus", "paragraphs-en.jsonl.zst"), "text",
                                                     limit=ARGS.docs)]
    results = {"docs": len(texts), "threads": ARGS.threads, "lexel_version": lexel.version(), "cpu": cpu()}
    work = tempfile.mkdtemp(prefix="lexel-bench-python-")

    # 1. encode vs the CLI, shipped model
    model = lexel.Embedder.load(ARGS.model, threads=ARGS.threads)
    model.encode(texts[:512])
    t_list = best(lambda: model.encode(texts))
    import pyarrow as pa
    column = pa.array(texts)
    t_arrow = best(lambda: model.encode(column))
    marginal, in_process, prof = cli_rates(texts, ARGS.model, work)
    results["encode"] = {
        "python_list_docs_per_s": round(len(texts) / t_list), "python_arrow_docs_per_s": round(len(texts) / t_arrow),
        "cli_marginal_docs_per_s": round(marginal), "cli_in_process_docs_per_s": in_process and round(in_process),
        "list_vs_cli_marginal": round(len(texts) / t_list / marginal, 3),
        "arrow_vs_cli_marginal": round(len(texts) / t_arrow / marginal, 3),
        "cli_profile": prof}

    # 2. two Python threads at once
    one = lexel.Embedder.load(ARGS.model, threads=1)
    half = texts[: len(texts) // 2]
    t_one = best(lambda: one.encode(half))

    def two_threads():
        ts = [threading.Thread(target=one.encode, args=(half,)) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    t_two = best(two_threads)
    results["gil"] = {"one_thread_docs_per_s": round(len(half) / t_one),
                      "two_threads_docs_per_s": round(2 * len(half) / t_two),
                      "speedup": round(2 * len(half) / t_two / (len(half) / t_one), 2)}

    # 3. luxical on the same .npz
    if ARGS.npz:
        npz = sorted(glob.glob(ARGS.npz))[-1]
        from luxical.embedder import Embedder
        import luxical.ngrams
        luxical.ngrams.cpu_count = lambda: ARGS.threads
        lux = Embedder.load(npz)
        lux(texts[:256])
        t_lux = best(lambda: lux(texts))
        ours = lexel.Embedder.load(npz, threads=ARGS.threads)
        ours.encode(texts[:256])
        t_ours = best(lambda: ours.encode(texts))
        a, b = lux(texts[:1000]), ours.encode(texts[:1000])
        cos = (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-30)
        nonzero = np.linalg.norm(a, axis=1) > 0
        results["luxical"] = {"model": os.path.basename(npz), "luxical_docs_per_s": round(len(texts) / t_lux),
                              "lexel_python_docs_per_s": round(len(texts) / t_ours),
                              "lexel_vs_luxical": round(t_lux / t_ours, 2),
                              "min_cosine_first_1000": round(float(cos[nonzero].min()), 6)}
    print(json.dumps(results, indent=1))
    if ARGS.json:
        with open(ARGS.json, "w") as f:
            json.dump(results, f, indent=1)


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()


if __name__ == "__main__":
    main()
