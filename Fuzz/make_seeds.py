#!/usr/bin/env python3
"""Writes the fuzzing seed corpora under Fuzz/Seeds/ (docs/fuzzing.md): tiny but valid inputs for every reader.

Run from the repository root after `swift build -c release`:   python3 Fuzz/make_seeds.py [path/to/lexel]
Needs the release `lexel` binary and the `zstd` command. Deterministic up to training (1 thread, fixed seed).
"""
import os, random, shutil, struct, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "Fuzz", "Seeds")
LEXEL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "lexel"))
FT_FIXTURE = os.path.join(ROOT, "Tests", "LexelStoreTests", "Fixtures", "tiny-fasttext.bin")
M = (1 << 64) - 1


# --- XXH64 (seed 0), for rewriting .lxv checksums --------------------------------------------------------------
P1, P2, P3, P4, P5 = 11400714785074694791, 14029467366897019727, 1609587929392839161, 9650029242287828579, 2870177450012600261


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M


def _round(acc, v):
    return (_rotl((acc + v * P2) & M, 31) * P1) & M


def xxh64(b, seed=0):
    n, i = len(b), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed, (seed - P1) & M]
        while i + 32 <= n:
            for k in range(4):
                v[k] = _round(v[k], struct.unpack_from("<Q", b, i + 8 * k)[0])
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & M
        for x in v:
            h = ((h ^ _round(0, x)) * P1 + P4) & M
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while i + 8 <= n:
        h ^= _round(0, struct.unpack_from("<Q", b, i)[0])
        h = (_rotl(h, 27) * P1 + P4) & M
        i += 8
    if i + 4 <= n:
        h ^= (struct.unpack_from("<I", b, i)[0] * P1) & M
        h = (_rotl(h, 23) * P2 + P3) & M
        i += 4
    while i < n:
        h ^= (b[i] * P5) & M
        h = (_rotl(h, 11) * P1) & M
        i += 1
    h ^= h >> 33
    h = (h * P2) & M
    h ^= h >> 29
    h = (h * P3) & M
    h ^= h >> 32
    return h


def raw_zstd_frame(data):
    """One zstd frame holding `data` as a single raw (stored) block: the fuzzer can then mutate the text inside."""
    assert len(data) < 65536 + 256
    if len(data) < 256:
        header = bytes([0x20, len(data)])  # single segment, 1-byte content size
    else:
        header = bytes([0x60]) + struct.pack("<H", len(data) - 256)  # single segment, 2-byte content size
    block = struct.pack("<I", 1 | (len(data) << 3))[:3]  # last block, raw
    return b"\x28\xb5\x2f\xfd" + header + block + data


def lxv_with_raw_meta(src, dst):
    """Rewrites a .lxv file with its meta section stored as a raw zstd block (same content, valid checksums)."""
    b = open(src, "rb").read()
    n = struct.unpack_from("<I", b, 12)[0]
    entries = [list(struct.unpack_from("<IIQQQQ", b, 64 + 64 * i)) for i in range(n)]
    meta_text = subprocess.run(["zstd", "-dc"], input=b[entries[0][2]:entries[0][2] + entries[0][3]],
                               check=True, capture_output=True).stdout if entries[0][0] == 1 else None
    out = bytearray(64 + 64 * n)
    for e in sorted(entries, key=lambda e: e[2]):
        payload = b[e[2]:e[2] + e[3]]
        if e[0] == 1:
            meta_text = subprocess.run(["zstd", "-dc"], input=payload, check=True, capture_output=True).stdout
            payload = raw_zstd_frame(meta_text)
            assert len(meta_text) == e[4]
        out += bytes(-len(out) % 64)
        e[2], e[3], e[5] = len(out), len(payload), xxh64(payload)
        out += payload
    table = b"".join(struct.pack("<IIQQQQ", *e) + bytes(24) for e in entries)
    out[64:64 + 64 * n] = table
    out[0:16] = b[0:16]
    struct.pack_into("<QQ", out, 16, len(out), xxh64(table))
    struct.pack_into("<Q", out, 32, xxh64(bytes(out[0:32])))
    open(dst, "wb").write(out)


def small_fasttext(src, dst, keep_words=10, bucket=16):
    """A valid fastText .bin cut down from the real fixture: its header and arguments with `bucket` buckets, the
    first `keep_words` dictionary entries, their input rows plus `bucket` n-gram rows, and a zero output matrix."""
    b = open(src, "rb").read()
    args = list(struct.unpack_from("<ii12id", b, 0))
    dim = args[2]
    args[10] = bucket
    size, nwords, nlabels, ntokens, prune = struct.unpack_from("<iiiqq", b, 64)
    assert prune == -1 and nlabels == 0
    off, entries = 64 + 4 * 3 + 16, []
    for _ in range(size):
        end = b.index(b"\0", off)
        entries.append(b[off:end + 1 + 9])
        off = end + 1 + 9
    assert b[off] == 0  # not quantised
    m, n = struct.unpack_from("<qq", b, off + 1)
    rows = off + 17
    row = lambda r: b[rows + 4 * dim * r:rows + 4 * dim * (r + 1)]
    out = struct.pack("<ii12id", *args)
    out += struct.pack("<iiiqq", keep_words, keep_words, 0, ntokens, -1) + b"".join(entries[:keep_words])
    out += b"\0" + struct.pack("<qq", keep_words + bucket, dim)
    out += b"".join(row(r) for r in range(keep_words)) + b"".join(row(nwords + k) for k in range(bucket))
    out += b"\0" + struct.pack("<qq", keep_words, dim) + bytes(4 * dim * keep_words)
    open(dst, "wb").write(out)


def main():
    if not os.path.exists(LEXEL):
        sys.exit(f"{LEXEL} not found: run `swift build -c release` first or pass the lexel binary")
    work = tempfile.mkdtemp(prefix="lexel-seeds-")
    run = lambda *a: subprocess.run([LEXEL, *a], check=True, cwd=work)
    w = lambda name: os.path.join(work, name)
    random.seed(7)
    words = "the The cat Cat NASA dogs quickly reading unhappiness naïve café über 日本 a ab sat on mat ran far home".split()
    lines = [" ".join(random.choice(words) for _ in range(random.randint(3, 9))) for _ in range(60)]
    open(w("corpus.txt"), "w", encoding="utf-8").write("\n".join(lines) + "\n")
    common = ["-dim", "8", "-epoch", "1", "-minCount", "1", "-thread", "1", "-seed", "1", "-verbose", "0"]
    run("skipgram", "-input", "corpus.txt", "-output", "sub", "-minn", "3", "-maxn", "4", "-bucket", "4096", *common)
    run("skipgram", "-input", "corpus.txt", "-output", "plain", "-maxn", "0", *common)
    small_fasttext(FT_FIXTURE, w("ft.bin"))
    run("convert", "sub.bin", "sub.lxv")
    run("convert", "sub.bin", "sub-int8.lxv", "--dtype", "int8")
    run("convert", "plain.bin", "plain-f16.lxv", "--dtype", "f16", "--normalize")
    run("convert", "plain.bin", "plain-int8.lxv", "--dtype", "int8")
    run("convert", "ft.bin", "ft-dense.lxv")
    run("convert", "plain.bin", "plain-fold-hnsw.lxv", "--fold-case")
    run("index", "plain-fold-hnsw.lxv", "-M", "4", "--ef-construction", "16", "--verbose", "0")
    run("convert", "plain.bin", "w2v.bin")
    lxv_with_raw_meta(w("sub-int8.lxv"), w("sub-int8-rawmeta.lxv"))
    lxv_with_raw_meta(w("plain-f16.lxv"), w("plain-f16-rawmeta.lxv"))
    vec = open(w("plain.vec"), "rb").read()
    open(w("glove.txt"), "wb").write(vec.split(b"\n", 1)[1])  # GloVe: no header line
    subprocess.run(["zstd", "-q", "-19", "-f", w("plain.vec"), "-o", w("plain.vec.zst")], check=True)
    open(w("odd.txt"), "wb").write(b"a  b\tc\r\nd\x0b\x0ce\x00f\n\n" + b"x" * 100 + b" y" * 40 + b"\nlast line, no newline")
    subprocess.run(["zstd", "-q", "-f", w("corpus.txt"), "-o", w("corpus.txt.zst")], check=True)

    layout = {
        "lxv": ["sub.lxv", "sub-int8.lxv", "plain-f16.lxv", "plain-int8.lxv", "ft-dense.lxv", "plain-fold-hnsw.lxv",
                "sub-int8-rawmeta.lxv", "plain-f16-rawmeta.lxv"],
        "model": ["sub.bin", "plain.bin"],
        "fasttext": ["ft.bin"],
        "word2vec": ["w2v.bin"],
        "text": ["sub.vec", "plain.vec", "glove.txt", "plain.vec.zst"],
        "corpus": ["corpus.txt", "corpus.txt.zst", "odd.txt"],
    }
    shutil.rmtree(SEEDS, ignore_errors=True)
    for folder, names in layout.items():
        os.makedirs(os.path.join(SEEDS, folder))
        for name in names:
            shutil.copyfile(w(name), os.path.join(SEEDS, folder, name))
    shutil.rmtree(work)
    for folder in layout:
        for name in sorted(os.listdir(os.path.join(SEEDS, folder))):
            print(f"{folder}/{name}: {os.path.getsize(os.path.join(SEEDS, folder, name))} bytes")


if __name__ == "__main__":
    main()
