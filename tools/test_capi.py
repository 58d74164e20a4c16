#!/usr/bin/env python3
"""Checks liblexel.so (`make lib`) from Python through ctypes, the way the Python package will call it: the
embeddings of a few texts equal `lexel embed`'s for the shipped model (32- and 64-bit Arrow offsets, several
threads), and bad calls come back as error codes with messages: a missing model file, invalid UTF-8, offsets that
go backwards, a closed handle used again. Exits 1 on the first failure.
Run: python3 tools/test_capi.py [--lib .build/lib/liblexel.so] [--lexel .build/release/lexel]"""
import argparse
import array
import ctypes
import ctypes.util
import json
import math
import os
import re
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXTS = ["How do I install a package on Debian?", "The king and the queen of the land", "",
         "naïve café — ünïcödé", "A function that returns a list of files " * 20]


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", default=os.path.join(ROOT, ".build", "lib", "liblexel.so"))
    ap.add_argument("--lexel", default=os.path.join(ROOT, ".build", "release", "lexel"))
    ap.add_argument("--model", default=os.path.join(ROOT, "vocab", "lexel-minilm-distilled.lxm"))
    args = ap.parse_args()
    lib = ctypes.CDLL(args.lib)
    lib.lexel_version.restype = ctypes.c_char_p
    lib.lexel_model_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_long]
    lib.lexel_model_dim.argtypes = [ctypes.c_void_p]
    lib.lexel_model_close.argtypes = [ctypes.c_void_p]
    lib.lexel_embed.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int64,
                                ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_long]
    check(lib.lexel_version().startswith(b"lexel "), "version: " + lib.lexel_version().decode())
    exported = subprocess.run(["nm", "-D", "--defined-only", args.lib], capture_output=True, text=True).stdout
    names = sorted(line.split()[-1] for line in exported.splitlines() if " T " in line)
    header = open(os.path.join(ROOT, "Sources", "LexelCAPI", "include", "lexel.h")).read()
    declared = sorted(set(re.findall(r"^[a-z_0-9 ]+\*?\s*\**(lexel_[a-z_0-9]+)\(", header, re.M)))
    check(len(declared) >= 20 and names == declared, f"exports only the calls of lexel.h: {names}")
    err = ctypes.create_string_buffer(512)
    model = ctypes.c_void_p()
    rc = lib.lexel_model_open(b"/nonexistent/model.lxm", ctypes.byref(model), err, len(err))
    check(rc == 2 and b"/nonexistent/model.lxm" in err.value, f"a missing model is error 2: {err.value.decode()}")
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGPIPE))
    check(lib.lexel_model_open(args.model.encode(), ctypes.byref(model), err, len(err)) == 0, "open the shipped model")
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    # sigaction is awkward from ctypes; signal() with SIG_IGN-then-restore tells us the handler in place
    libc.signal.restype = ctypes.c_void_p
    libc.signal.argtypes = [ctypes.c_int, ctypes.c_void_p]
    handler = libc.signal(signal.SIGPIPE, ctypes.c_void_p(1))  # SIG_IGN = 1
    libc.signal(signal.SIGPIPE, ctypes.c_void_p(handler))
    check(handler == 1, "the host's SIGPIPE disposition (ignored, as Python sets it) is untouched")
    check((signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGPIPE)) == before, "Python's signal handlers untouched")
    dim = lib.lexel_model_dim(model)
    check(dim == 1408, f"dim {dim}")

    data = b"".join(t.encode() for t in TEXTS)
    ends = [0]
    for t in TEXTS:
        ends.append(ends[-1] + len(t.encode()))
    expected = [json.loads(line)["embedding"] for line in subprocess.run(
        [args.lexel, "embed", "--model", args.model, "--quiet"], input="\n".join(TEXTS) + "\n",
        capture_output=True, text=True, check=True).stdout.splitlines()]
    for bits, threads in ((32, 1), (64, 2)):
        offsets = array.array("i" if bits == 32 else "q", ends)
        out = (ctypes.c_float * (len(TEXTS) * dim))()
        rc = lib.lexel_embed(model, offsets.buffer_info()[0], bits, data, len(TEXTS), out, threads, err, len(err))
        check(rc == 0, f"embed with {bits}-bit offsets on {threads} threads")
        worst = max(abs(out[i * dim + j] - expected[i][j]) for i in range(len(TEXTS)) for j in range(dim))
        check(worst < 1e-6, f"same vectors as `lexel embed` (largest difference {worst:.2e})")
        norms = [math.sqrt(sum(out[i * dim + j] ** 2 for j in range(dim))) for i in range(len(TEXTS))]
        check(all(abs(n - 1) < 1e-4 or n == 0 for n in norms), "unit (or zero) rows")

    bad, keep = b"ok\xff", array.array("i", [0, 2, 3])  # (the arrays must outlive the calls)
    rc = lib.lexel_embed(model, keep.buffer_info()[0], 32, bad, 2, out, 1, err, len(err))
    check(rc == 4 and b"text 1 is not valid UTF-8" in err.value, f"invalid UTF-8 is error 4: {err.value.decode()}")
    keep = array.array("i", [0, 3, 1])
    rc = lib.lexel_embed(model, keep.buffer_info()[0], 32, b"abc", 2, out, 1, err, len(err))
    check(rc == 1 and b"backwards" in err.value, f"offsets going backwards are error 1: {err.value.decode()}")
    check(lib.lexel_model_close(model) == 0, "close")
    check(lib.lexel_model_dim(model) == -1, "a closed model has no dimension")
    keep = array.array("i", ends)
    rc = lib.lexel_embed(model, keep.buffer_info()[0], 32, data, len(TEXTS), out, 1, err, len(err))
    check(rc == 3 and b"closed" in err.value, f"a closed handle is error 3: {err.value.decode()}")
    check(lib.lexel_model_close(model) == 3, "closing twice is error 3")
    print("liblexel: all checks passed")


if __name__ == "__main__":
    main()
