#!/usr/bin/env python3
"""Vector store side by side (issue #3): Lexel `.lxv` files (StoreBench + the lexel CLI) against gensim KeyedVectors.

Run with the peers venv (tools/peers/setup_venv.sh):

    tools/.venv/bin/python tools/bench_store.py [--workdir /tmp/lexel-bench-store] [--repeats 3]
                                                 [--skip-synthetic] [--quick]

Prepares inputs under --workdir (cached: trained vectors, the fastText model, the synthetic matrix and every
converted file are reused while the FILE.json beside each holds the same key; lexel_tools.cached_file), runs Lexel
and gensim alternately in fresh processes, takes medians over --repeats, writes Benchmarks/results/store-DATE.json
and replaces the `## Vector store: side by side` section of Benchmarks/README.md (--quick writes
store-quick-DATE.json and leaves the README alone unless --readme).

Inputs:
  a. words-en (../shared/data/corpus/words-en.txt.zst) trained by `lexel skipgram -thread 2`, without subwords
     (-maxn 0) and with them (minn 3 maxn 6), converted to .lxv f32 / f16 / int8.
  b. a fastText .bin trained with the `fasttext` package on every 5th line of words-en (dim 100, 3 epochs).
  c. a synthetic clustered 1M x 300 matrix (numpy, seeded), word2vec binary, converted to .lxv f32 (+ HNSW).

The parts live in tools/benchstore/ (see its __init__.py); this file is the command line.
"""
import argparse
import json
import shlex
import subprocess
import time
from pathlib import Path

from benchstore import ROOT
from lexel_tools import log, write_json


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
    if a.child:   # a gensim measurement in this fresh process: import no more than it needs
        from benchstore.child import child_main
        child_main(a.child[0], json.loads(a.child[1]))
        return
    from benchstore.bench import Bench
    if a.report_only:
        b = Bench(a)
        b.res = json.loads(Path(a.report_only).read_text())
        b.res["summary"] = b.summary()
        write_json(a.report_only, b.res, indent=1)
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

