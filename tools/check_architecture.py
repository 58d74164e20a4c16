#!/usr/bin/env python3
"""Checks the house rules of docs/architecture.md; exits 1 naming every violation.

1. Layers: each target under Sources/ may import only the modules listed for it below (its layer and the ones
   beneath), both in its Swift files and in Package.swift's dependencies. Engines do not import each other,
   except LexelStore -> LexelVectors (the store is the on-disk form of word vectors: it converts from and to them).
2. Foundation only in the command-line front end and the server (the libraries stay small enough for the C library).
3. No Swift file under Sources/ over 400 lines.
Usage: tools/check_architecture.py [REPO_ROOT]
"""
import os
import re
import sys

C = {"CSupport", "CKernels", "CZstd", "CCairo"}
ALLOWED = {
    "CSupport": set(), "CKernels": set(), "CZstd": set(), "CCairo": set(),
    "LexelCore": {"CSupport"},
    "LexelKernels": {"CKernels"},
    "LexelContainer": {"LexelCore", "CZstd"},
    "LexelIO": {"LexelCore", "CZstd"},
    "LexelText": {"LexelCore", "LexelKernels", "LexelIO"},
    # engines
    "LexelTraining": {"LexelCore", "LexelKernels", "LexelIO", "LexelText"},
    "LexelVectors": {"LexelCore", "LexelKernels", "LexelIO", "LexelText"},
    "LexelStore": {"LexelCore", "LexelKernels", "LexelContainer", "LexelIO", "LexelText", "LexelVectors"},
    "LexelLexical": {"LexelCore", "LexelKernels", "LexelContainer", "LexelIO", "LexelText"},
    "LexelClassifier": {"LexelCore", "LexelKernels", "LexelIO", "LexelText"},
    "LexelCluster": {"CKernels", "LexelCore", "LexelKernels"},
    # facade
    "LexelKit": {"CSupport", "LexelCore", "LexelKernels", "LexelContainer", "LexelIO", "LexelText",
                 "LexelTraining", "LexelVectors", "LexelStore", "LexelLexical", "LexelClassifier",
                 "LexelCluster"},
    # front ends
    "LexelPlot": {"CCairo", "LexelCore"},
    "lexel": {"LexelKit", "LexelPlot", "LexelServer", "ArgumentParser"},
    "LexelCAPI": {"LexelKit"},
    # the HTTP server: LexelKit and the server libraries only (HTTPTypes, NIOCore come with Hummingbird)
    "LexelServer": {"LexelKit", "Hummingbird", "HTTPTypes", "NIOCore", "Logging", "Prometheus"},
}
SYSTEM = {"Glibc", "Darwin", "Synchronization"}
FOUNDATION_OK = {"lexel", "LexelServer"}
MAX_LINES = 400


def main(root):
    problems = []
    src = os.path.join(root, "Sources")
    targets = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    for t in targets:
        if t not in ALLOWED:
            problems.append(f"Sources/{t}: a target docs/architecture.md does not place in a layer (add it to tools/check_architecture.py)")
            continue
        for dirpath, _, files in os.walk(os.path.join(src, t)):
            for f in files:
                if not f.endswith(".swift"):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                lines = open(path, encoding="utf-8").read().split("\n")
                if len(lines) - 1 > MAX_LINES:
                    problems.append(f"{rel}: {len(lines) - 1} lines (the limit is {MAX_LINES}): split it by what it holds")
                for n, line in enumerate(lines, 1):
                    m = re.match(r"\s*(?:@\w+\s+)*import\s+(?:class\s+|struct\s+|enum\s+|func\s+)?(\w+)", line)
                    if not m:
                        continue
                    mod = m.group(1)
                    if mod == "Foundation":
                        if t not in FOUNDATION_OK:
                            problems.append(f"{rel}:{n}: imports Foundation; only the command-line front end may")
                    elif mod in SYSTEM:
                        continue
                    elif mod not in ALLOWED[t]:
                        problems.append(f"{rel}:{n}: {t} may not import {mod} (allowed: {', '.join(sorted(ALLOWED[t])) or 'nothing'})")
    # Package.swift dependencies
    manifest = open(os.path.join(root, "Package.swift"), encoding="utf-8").read()
    for m in re.finditer(r'\.(?:target|executableTarget)\(\s*name:\s*"(\w+)"(.*?)\)\s*,\s*(?://|\.|\])', manifest, re.S):
        name, body = m.group(1), m.group(2)
        if name not in ALLOWED or name.startswith("LexelTest"):
            continue
        deps = re.search(r"dependencies:\s*\[(.*?)\]\s*(?:,|\))", body, re.S)
        for d in re.findall(r'"(\w+)"', deps.group(1) if deps else ""):
            if d in ("swift-argument-parser",):
                continue
            if d not in ALLOWED[name] and d in ALLOWED:
                problems.append(f"Package.swift: target {name} depends on {d}, which its layer may not use")
    for p in problems:
        print("architecture: " + p, file=sys.stderr)
    if problems:
        print(f"architecture: {len(problems)} violation(s) of docs/architecture.md", file=sys.stderr)
        return 1
    print(f"architecture: {len(targets)} targets follow the layering rules; no file over {MAX_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")))
