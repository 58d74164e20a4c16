"""Shared helpers of the Python tools in tools/: corpus reading, atomic writes, logging, caching, reports.

Standard library only; `zstandard` is imported when a .zst file is read and numpy when an array is written.
The tools run as `python tools/X.py`, so Python puts tools/ first on sys.path and `import lexel_tools` works from
any working folder.

  corpus    open_text, read_lines, read_jsonl: plain or zstd-compressed (.zst) text and JSON Lines, rows
            [start, start + limit); write_jsonl writes {"field": ...} rows back.
  writes    atomic_open, atomic_path, write_text, write_bytes, write_json, write_jsonl, save_npy: everything is
            written to PATH.tmp-PID in PATH's folder, fsynced and renamed over PATH; on an exception the temp file
            is removed and PATH is left as it was.
  logging   log(*parts): one line on stderr, prefixed with the time of day.
  caching   cached_file, cached_array: build a file once and keep PATH.json beside it (the cache key, the build's
            metadata and its time in seconds); reused while the file and the .json exist and the key matches.
  scripts   no_options(__doc__): --help for a script that takes no options.
  reports   machine_info (CPU, memory, kernel, Python) and replace_section (one `## ` section of a Markdown file).
"""
import contextlib
import io
import itertools
import json
import os
import platform
import sys
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
DATA = os.path.join(ROOT, "..", "shared", "data")   # the shared data pack, next to the repository


# ---------------------------------------------------------------- logging


def log(*parts):
    """Prints PARTS (like print) on stderr after the time of day, and flushes."""
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- corpus reading


@contextlib.contextmanager
def open_text(path):
    """A UTF-8 text stream of PATH, zstd-decompressed when the name ends in .zst (universal newlines, as open())."""
    raw = open(path, "rb")
    try:
        if os.fspath(path).endswith(".zst"):
            import zstandard
            yield io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw), encoding="utf-8")
        else:
            yield io.TextIOWrapper(raw, encoding="utf-8")
    finally:
        raw.close()


def read_lines(path, start=0, limit=None):
    """Lines start .. start + limit - 1 (0-based; limit None: to the end) of a text file, .zst allowed, each with
    its newline (the file's last line may have none)."""
    with open_text(path) as f:
        yield from itertools.islice(f, start, None if limit is None else start + limit)


def read_jsonl(path, field=None, start=0, limit=None):
    """Rows start .. start + limit - 1 of a JSON Lines file (.zst allowed): each row as parsed, or with FIELD the
    row's value of that field, which must be a string. An empty line is an error naming the file and line."""
    for number, line in enumerate(read_lines(path, start, limit), start + 1):
        if not line.strip():
            raise ValueError(f"{path}:{number}: empty line")
        row = json.loads(line)
        if field is None:
            yield row
            continue
        value = row[field]
        if not isinstance(value, str):
            raise ValueError(f"{path}:{number}: field {field!r} is not a string")
        yield value


# ---------------------------------------------------------------- atomic writes


def temp_path(path, suffix=""):
    """PATH.tmp-PID (plus SUFFIX): a temp name in PATH's own folder, so that os.replace is a rename."""
    return f"{os.fspath(path)}.tmp-{os.getpid()}{suffix}"


def _remove(path):
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


@contextlib.contextmanager
def atomic_path(path, suffix=""):
    """Yields a temp path for a writer that takes a path (SUFFIX: for writers that add an extension of their own,
    e.g. np.savez adds .npz); when the block ends the file is fsynced and renamed to PATH; on an exception it is
    removed."""
    tmp = temp_path(path, suffix)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


@contextlib.contextmanager
def atomic_open(path, mode="w", encoding="utf-8"):
    """open(PATH, MODE) for writing, through a temp file that replaces PATH only when the block succeeds."""
    with atomic_path(path) as tmp, open(tmp, mode, encoding=None if "b" in mode else encoding) as f:
        yield f


def write_text(path, text):
    with atomic_open(path, "w") as f:
        f.write(text)


def write_bytes(path, data):
    with atomic_open(path, "wb") as f:
        f.write(data)


def write_json(path, obj, indent=1, **dumps_options):
    """json.dumps(OBJ, indent=INDENT, **DUMPS_OPTIONS) and a newline."""
    write_text(path, json.dumps(obj, indent=indent, **dumps_options) + "\n")


def write_jsonl(path, rows):
    """One compact JSON object per line, non-ASCII characters as they are."""
    with atomic_open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def save_npy(path, array):
    """np.save to PATH (never PATH + '.npy')."""
    import numpy as np
    with atomic_open(path, "wb") as f:
        np.save(f, array)


# ---------------------------------------------------------------- caching


def _as_json(value):
    return json.loads(json.dumps(value))


def cached_file(path, key, build, atomic=True):
    """The file at PATH, made by BUILD once and reused while PATH and PATH.json exist and PATH.json holds KEY (any
    JSON value naming what the file depends on: a hash of the inputs, a command line, parameters).

    BUILD(target) writes the file at `target` and returns a dict of metadata (or None). With atomic=True `target` is
    a temp path (PATH's extension kept at its end) renamed to PATH when BUILD returns; atomic=False is for builds
    that write PATH (and siblings) themselves. Returns the metadata (without the key): BUILD's dict, plus
    "seconds" (BUILD's wall clock) unless BUILD set it. PATH.json is written last, so a build that fails or is
    killed is redone by the next run."""
    meta_path = os.fspath(path) + ".json"
    key = _as_json(key)
    if os.path.exists(path) and os.path.exists(meta_path):
        with open(meta_path, encoding="utf-8") as f:
            info = json.load(f)
        if info.pop("key", None) == key:
            return info
    t0 = time.perf_counter()
    if atomic:
        with atomic_path(path, os.path.splitext(path)[1]) as tmp:
            info = dict(build(tmp) or {})
    else:
        info = dict(build(path) or {})
    info.setdefault("seconds", time.perf_counter() - t0)
    write_json(meta_path, dict(info, key=key))
    return info


def cached_array(path, key, compute):
    """(array, metadata): COMPUTE() -> (array, metadata dict) runs once and its array is kept at PATH (.npy),
    see cached_file."""
    import numpy as np

    def build(tmp):
        array, info = compute()
        with open(tmp, "wb") as f:
            np.save(f, array)
        return info
    info = cached_file(path, key, build)
    return np.load(path), info


# ---------------------------------------------------------------- scripts


def no_options(doc):
    """For a script that takes no options: --help prints DOC and exits; any argument is an error, so that
    `script --help` never runs it."""
    import argparse
    argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()


# ---------------------------------------------------------------- reports


def _proc_field(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine_info():
    """{"cpus", "cpu" (model name), "mem_gb", "kernel", "python"} of this machine (Linux /proc; None if absent)."""
    mem = _proc_field("/proc/meminfo", "MemTotal")
    return {"cpus": os.cpu_count(), "cpu": _proc_field("/proc/cpuinfo", "model name") or "unknown",
            "mem_gb": round(int(mem.split()[0]) / 1024 / 1024, 1) if mem else None,
            "kernel": platform.release(), "python": platform.python_version()}


def replace_section(path, section, before=None, empty="# Benchmarks\n"):
    """Puts SECTION (Markdown that starts with its `## ` heading line) into the file at PATH in place of the section
    with the same heading (which runs to the next `## ` line), or, when there is none, before the heading line
    BEFORE if given and present, else at the end. A missing file starts as EMPTY. Written atomically."""
    heading = section.split("\n", 1)[0].strip()
    text = empty
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if start is not None:
        end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
    else:
        start = end = next((i for i, line in enumerate(lines) if before and line.strip() == before), len(lines))
    head = "\n".join(lines[:start]).rstrip("\n")
    tail = "\n".join(lines[end:]).strip("\n")
    text = (head + "\n\n" if head else "") + section.rstrip("\n") + "\n"
    write_text(path, text + ("\n" + tail + "\n" if tail else ""))
