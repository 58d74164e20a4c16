#!/usr/bin/env python3
"""Writes the fuzzing seed corpora under Fuzz/Seeds/ (docs/fuzzing.md): tiny but valid inputs for every reader.

Run from the repository root after `swift build -c release`:
    python3 Fuzz/make_seeds.py [path/to/lexel] [--only FOLDER,FOLDER...]
Needs a `lexel` binary (release, or debug: the inputs are tiny), the `zstd` command and NumPy (for the Luxical
`.npz` seeds). Deterministic up to training (1 thread, fixed seed). `--only` rewrites just the named folders of
Fuzz/Seeds/ (e.g. `--only npz,json`) and leaves the others as they are.
"""
import io, json, os, random, shutil, struct, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "Fuzz", "Seeds")
ARGS = [a for a in sys.argv[1:] if not a.startswith("--only")]
ONLY = next((a.split("=", 1)[1] if "=" in a else sys.argv[sys.argv.index(a) + 1] for a in sys.argv[1:] if a.startswith("--only")), None)
if ONLY and "--only" in ARGS: ARGS.remove("--only")
ARGS = [a for a in ARGS if a != ONLY]
LEXEL = os.path.abspath(ARGS[0] if ARGS else os.path.join(ROOT, ".build", "release", "lexel"))
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


def lxv_with_raw_meta(src, dst, kinds=(1,)):
    """Rewrites a container (.lxv, .lxm) with its meta section (and the other zstd sections of `kinds`) stored as a
    raw zstd block (same content, valid checksums)."""
    b = open(src, "rb").read()
    n = struct.unpack_from("<I", b, 12)[0]
    entries = [list(struct.unpack_from("<IIQQQQ", b, 64 + 64 * i)) for i in range(n)]
    meta_text = subprocess.run(["zstd", "-dc"], input=b[entries[0][2]:entries[0][2] + entries[0][3]],
                               check=True, capture_output=True).stdout if entries[0][0] == 1 else None
    out = bytearray(64 + 64 * n)
    for e in sorted(entries, key=lambda e: e[2]):
        payload = b[e[2]:e[2] + e[3]]
        if e[0] in kinds and e[1] == 1:
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


# --- Lexical models, arrays, n-gram tables, documents, JSON ----------------------------------------------------

def ngram_hash(ids, max_n):
    """Luxical's n-gram hash (`Ngrams.hash`): FNV-1a 64 over the ids as little-endian uint32, padded with 2^32-1."""
    h = 0xCBF29CE484222325
    for i in list(ids) + [0xFFFFFFFF] * (max_n - len(ids)):
        for byte in struct.pack("<I", i):
            h = ((h ^ byte) * 0x100000001B3) & M
    return h


TINY_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "dog", "##s", "a",
               "b", "c", ".", ",", "na", "##ive", "caf", "##e"]


def tokenizer_json(tokens):
    """A small HF `tokenizer.json` with a WordPiece model, shaped like the ones Luxical stores."""
    return json.dumps({
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "special": True} for i, t in enumerate(tokens) if t.startswith("[")],
        "normalizer": {"type": "BertNormalizer", "lowercase": True, "strip_accents": None},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(tokens)}},
    }, separators=(",", ":")).encode()


def luxical_npz(path, layers, shuffle_keys=False, drop_key=False):
    """A tiny Luxical model (`.npz` as numpy.savez writes it: stored ZIP64 members): the tokenizer above, 12 n-grams
    of 1-3 token ids with their hash -> index map, IDF, and `layers` dense layers of widths 8, 8, 4."""
    import numpy as np
    max_n = 3
    grams = [(5,), (6,), (7,), (8,), (9,), (10,), (5, 6), (6, 7), (7, 8), (8, 5), (5, 6, 7), (6, 7, 8)]
    v = len(grams)
    ngrams = np.full((v, max_n), 0xFFFFFFFF, dtype=np.uint32)
    for i, g in enumerate(grams):
        ngrams[i, :len(g)] = g
    order = list(range(v))
    if shuffle_keys:
        random.Random(3).shuffle(order)
    if drop_key:
        order = order[:-1]  # a feature whose hash collided: Luxical's map keeps one of the two
    keys = np.array([ngram_hash(grams[i], max_n) for i in order], dtype=np.uint64).view(np.int64)
    rng = np.random.default_rng(5)
    widths = [8, 8, 4][:layers]
    arrays = {
        "tokenizer": np.frombuffer(tokenizer_json(TINY_TOKENS), dtype=np.uint8),
        "version": np.array(1, dtype=np.int64),
        "recognized_ngrams": ngrams,
        "ngram_hash_to_ngram_idx_keys": keys,
        "ngram_hash_to_ngram_idx_values": np.array(order, dtype=np.uint32),
        "idf_values": (np.log(20.0) - np.log(np.arange(1, v + 1))).astype(np.float32),
        "num_nn_layers": np.array([layers], dtype=np.int64),
    }
    fan_in = v
    for i, w in enumerate(widths):
        arrays[f"nn_layer_{i}"] = rng.uniform(-1, 1, (w, fan_in)).astype(np.float32)
        fan_in = w
    np.savez(path, **arrays)


def npy_bytes(dtype, shape, data, version=1, pad_to=64):
    """An .npy file of `dtype` (a descr such as '<f4') and `shape` holding the raw bytes `data`."""
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape_text}, }}"
    prefix = 10 if version == 1 else 12
    header += " " * (-(prefix + len(header) + 1) % pad_to) + "\n"
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode("utf-8" if version == 3 else "latin-1") + data


def lexical_seeds(work, run):
    """The seeds of the lexical and I/O targets, in `work`."""
    w = lambda name: os.path.join(work, name)
    # A 66-token WordPiece vocabulary, a two-topic corpus, its n-gram table and a random teacher: a tiny .lxm
    # (as the CLI tests make theirs), in three storage variants, one with its meta and tokenizer stored raw.
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cat", "dog", "horse", "cow", "hammer", "saw", "drill", "nail",
             ".", ","] + letters + ["##" + c for c in letters]
    open(w("vocab.txt"), "w").write("\n".join(vocab))
    lines = []
    for i in range(48):
        words = ["cat", "dog", "horse", "cow"] if i % 2 == 0 else ["hammer", "saw", "drill", "nail"]
        lines.append(" ".join(words[(j + i // 2) % 4] for j in range(8)))
    open(w("docs.txt"), "w").write("\n".join(lines) + "\n")
    r = random.Random(11)
    teacher = b"".join(struct.pack("<f", r.uniform(-1, 1)) for _ in range(48 * 6))
    open(w("teacher.npy"), "wb").write(npy_bytes("<f4", (48, 6), teacher))
    run("ngrams", "docs.txt", "--vocab", "vocab.txt", "--top", "40", "--maxn", "3", "--threads", "1",
        "--output", "ngrams.tsv", "--quiet")
    subprocess.run(["zstd", "-q", "-f", w("ngrams.tsv"), "-o", w("ngrams.tsv.zst")], check=True)
    distill = ["distill", "docs.txt", "--teacher", "teacher.npy", "--ngrams", "ngrams.tsv", "--vocab", "vocab.txt",
               "--dims", "8,16,8", "-epoch", "1", "--batch", "16", "--threads", "1", "--quiet"]
    run(*distill, "--output", "tiny.lxm")
    run(*distill, "--dtype", "int8", "--layer-dtype", "f16", "--output", "tiny-int8-f16.lxm")
    run(*distill, "--dtype", "f16", "--output", "tiny-f16.lxm")
    lxv_with_raw_meta(w("tiny-int8-f16.lxm"), w("tiny-int8-f16-rawmeta.lxm"), kinds=(1, 13))
    # Luxical models.
    luxical_npz(w("luxical.npz"), 3)
    luxical_npz(w("luxical-2layer-shuffled.npz"), 2, shuffle_keys=True, drop_key=True)
    # .npy arrays: the test fixtures and one of each header version, dtype family and rank.
    for name in ["numpy-f16-3x4.npy", "numpy-i64-5.npy"]:
        shutil.copyfile(os.path.join(ROOT, "Tests", "LexelIOTests", "Fixtures", name), w(name))
    open(w("f4-2x3.npy"), "wb").write(npy_bytes("<f4", (2, 3), struct.pack("<6f", 1, -2, 0.5, 1e30, -0.0, 3)))
    open(w("u1-v2.npy"), "wb").write(npy_bytes("|u1", (7,), bytes([0, 1, 2, 127, 128, 254, 255]), version=2))
    open(w("b1-v3-2x2x2.npy"), "wb").write(npy_bytes("|b1", (2, 2, 2), bytes([1, 0, 0, 1, 1, 1, 0, 0]), version=3))
    open(w("f8-scalar.npy"), "wb").write(npy_bytes("<f8", (), struct.pack("<d", 2.5)))
    open(w("i2-empty.npy"), "wb").write(npy_bytes("<i2", (0, 4), b""))
    open(w("u4-2x2.npy"), "wb").write(npy_bytes("<u4", (2, 2), struct.pack("<4I", 0, 1, 0xFFFFFFFF, 7)))
    # JSON Lines and plain documents, zstd, and a 5 MiB line longer than the reader's 4 MiB buffer.
    jsonl = [
        '{"text": "the cat sat", "id": 1}',
        '',
        '  {"id": 2, "meta": {"text": 5, "tags": ["a", {"b": null}], "n": -1.5e3}, "text": "caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t"}\r',
        '{"text": "", "text": "last wins"}',
        '{"t\\u0065xt": "escaped name", "x": [true, false, null, 0, 1e-2, 12.5E+3]}',
        '{"text": "日本語 naïve"}',
        '{}',
    ]
    open(w("docs.jsonl"), "w", encoding="utf-8").write("\n".join(jsonl) + "\n")
    subprocess.run(["zstd", "-q", "-f", w("docs.jsonl"), "-o", w("docs.jsonl.zst")], check=True)
    open(w("plain.txt"), "wb").write(b"first line\n\nCRLF line\r\n\ttabs\tand  spaces\nna\xc3\xafve \xe6\x97\xa5\nno final newline")
    long_line = b'{"text": "' + b"word " * (1 << 20) + b'"}\n{"text": "after"}\n'
    open(w("long-line.jsonl"), "wb").write(long_line)
    subprocess.run(["zstd", "-q", "-19", "-f", w("long-line.jsonl"), "-o", w("long-line.jsonl.zst")], check=True)
    # Query lines.
    open(w("words.txt"), "wb").write(b"king\nparis france italy\n\n  \t \ncaf\xc3\xa9\r\n" + b"x" * 70 + b"\nlast")
    open(w("sentences.txt"), "wb").write(b"How do I install a package on Debian?\nThe king and the queen\n")
    # JSON documents: the Luxical tokenizer above, and one of every kind of value.
    open(w("tokenizer.json"), "wb").write(tokenizer_json(TINY_TOKENS))
    open(w("values.json"), "wb").write(
        b'{"text": "a\\u00e9\\ud83d\\ude00\\n", "n": [0, -1, 2.5e-3, 1E+2, 9007199254740993], "b": [true, false, null],'
        b' "o": {"p": {"q": [[[]]], "r": {}}}, "text": "dup", "": "empty name"}')
    open(w("line.json"), "wb").write(b' {"id": 7, "text": "caf\xc3\xa9 \\"quoted\\""} ')
    return {
        "lxm": ["tiny.lxm", "tiny-int8-f16.lxm", "tiny-f16.lxm", "tiny-int8-f16-rawmeta.lxm"],
        "npz": ["luxical.npz", "luxical-2layer-shuffled.npz"],
        "npy": ["numpy-f16-3x4.npy", "numpy-i64-5.npy", "f4-2x3.npy", "u1-v2.npy", "b1-v3-2x2x2.npy", "f8-scalar.npy",
                "i2-empty.npy", "u4-2x2.npy"],
        "ngrams": ["ngrams.tsv", "ngrams.tsv.zst"],
        "documents": ["docs.jsonl", "docs.jsonl.zst", "plain.txt", "long-line.jsonl.zst"],
        "queries": ["words.txt", "sentences.txt"],
        "json": ["tokenizer.json", "values.json", "line.json"],
    }


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

    layout = lexical_seeds(work, run)
    layout.update({
        "lxv": ["sub.lxv", "sub-int8.lxv", "plain-f16.lxv", "plain-int8.lxv", "ft-dense.lxv", "plain-fold-hnsw.lxv",
                "sub-int8-rawmeta.lxv", "plain-f16-rawmeta.lxv"],
        "model": ["sub.bin", "plain.bin"],
        "fasttext": ["ft.bin"],
        "word2vec": ["w2v.bin"],
        "text": ["sub.vec", "plain.vec", "glove.txt", "plain.vec.zst"],
        "corpus": ["corpus.txt", "corpus.txt.zst", "odd.txt"],
    })
    if ONLY:
        layout = {k: v for k, v in layout.items() if k in ONLY.split(",")}
    for folder, names in layout.items():
        shutil.rmtree(os.path.join(SEEDS, folder), ignore_errors=True)
        os.makedirs(os.path.join(SEEDS, folder))
        for name in names:
            shutil.copyfile(w(name), os.path.join(SEEDS, folder, name))
    shutil.rmtree(work)
    for folder in layout:
        for name in sorted(os.listdir(os.path.join(SEEDS, folder))):
            print(f"{folder}/{name}: {os.path.getsize(os.path.join(SEEDS, folder, name))} bytes")


if __name__ == "__main__":
    main()
