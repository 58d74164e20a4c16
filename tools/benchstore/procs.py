"""Running the processes of tools/bench_store.py: wall clock and peak RSS (GNU time), StoreBench and gensim children."""
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchstore import PEER_ENV
from lexel_tools import TOOLS

ENTRY = os.path.join(TOOLS, "bench_store.py")   # runs a gensim child with --child


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
    out, wall, peak = run_peak([sys.executable, ENTRY, "--child", task, json.dumps(params)], PEER_ENV)
    r = json_of(out)
    r["wall_s"] = wall
    r["child_peak_rss_kb"] = peak
    return r


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None

