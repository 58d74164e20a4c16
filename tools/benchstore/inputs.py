"""The prepared inputs of tools/bench_store.py (class Inputs, a mixin of Bench): trained vectors, the fastText model,
the synthetic matrix, converted and indexed .lxv files and gensim's native files, each built once (cached in the work
folder with a FILE.json of its key and build figures, see lexel_tools.cached_file)."""
import itertools
import math
import os
import random
import shlex
import subprocess
import sys
import time
from pathlib import Path

from benchstore import CORPUS, PEER_ENV, SEED
from benchstore.child import kv_files
from benchstore.procs import run_peak
from lexel_tools import atomic_open, cached_file, log, read_lines, write_text


class Inputs:
    def cached(self, name, path, key, build, atomic):
        """PATH made once by BUILD(target) -> metadata (lexel_tools.cached_file, rebuilt when KEY changes); the
        metadata is kept in self.prep[NAME] (the results' "prep")."""
        built = []

        def run(target):
            built.append(target)
            return build(target)
        self.prep[name] = cached_file(path, key, run, atomic)
        if not built:
            log(f"reusing {path}")
        return path

    def corpus(self) -> Path:
        if not self.quick:
            return CORPUS
        p = self.w("words-quick.txt")
        if not p.exists():
            with atomic_open(p) as o:
                o.writelines(read_lines(CORPUS, limit=30000))
        return p

    def train_lexel(self, name, extra):
        bin_, vec = self.w(name + ".bin"), self.w(name + ".vec")
        cmd = [str(self.lexel), "skipgram", "-input", str(self.corpus()), "-output", str(self.w(name + ".tmp")),
               "-thread", "2", "-verbose", "1", *extra]
        if self.quick:
            cmd += ["-epoch", "1"]

        def train(_):   # the .bin and .vec of one training, renamed together
            log("training:", shlex.join(cmd))
            t0 = time.time()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            os.replace(self.w(name + ".tmp.bin"), bin_)
            os.replace(self.w(name + ".tmp.vec"), vec)
            return {"cmd": shlex.join(cmd), "wall_s": time.time() - t0}
        self.cached(f"train_{name}", bin_, shlex.join(cmd), train, atomic=False)
        return bin_, vec

    def lexel_output(self, what, dst, cmd):
        """DST written by the lexel command CMD (which writes atomically itself), once."""
        def run(_):
            log(f"{what}:", shlex.join(cmd))
            _, wall, peak = run_peak(cmd)
            return {"cmd": shlex.join(cmd), "wall_s": wall, "peak_rss_kb": peak}
        return self.cached(f"{what}_{dst.name}", dst, shlex.join(cmd), run, atomic=False)

    def convert(self, src, dst, *opts):
        dst = Path(dst)
        return self.lexel_output("convert", dst, [str(self.lexel), "convert", str(src), str(dst), *map(str, opts)])

    def index(self, src, dst, *opts):
        dst = Path(dst)
        return self.lexel_output("index", dst, [str(self.lexel), "index", str(src), "--output", str(dst),
                                                "--verbose", "1", *map(str, opts)])

    def gensim_native(self, src, kv, how):
        """Saves a gensim native .kv (numpy arrays as separate .npy files, so that mmap='r' works)."""
        kv = Path(kv)
        code = (
            "import sys\n"
            "from gensim.models import KeyedVectors\n"
            "from gensim.models.fasttext import load_facebook_vectors\n"
            f"how = {how!r}\n"
            f"src = {str(src)!r}\n"
            "kv = load_facebook_vectors(src) if how == 'facebook' else "
            "KeyedVectors.load_word2vec_format(src, binary=(how == 'binary'))\n"
            f"kv.save({str(kv)!r}, sep_limit=0)\n")

        def save(_):   # kv.save writes the .kv and its .npy siblings
            log("gensim save:", kv.name)
            subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, **PEER_ENV})
            return {"from": str(src), "how": how}
        return self.cached(f"kv_{kv.name}", kv, {"from": str(src), "how": how}, save, atomic=False)

    def vocab_of_vec(self, vec) -> list[str]:
        words = []
        with open(vec, "rb") as f:
            f.readline()
            for line in f:
                words.append(line.split(b" ", 1)[0].decode("utf-8"))
        return words

    def word_lists(self, name, vocab, n, synthetic=False):
        """In-vocabulary words sampled uniformly over rows, and misspellings of sampled words that are not keys."""
        wp, op = self.w(f"{name}-words.txt"), self.w(f"{name}-oov.txt")
        if wp.exists() and op.exists():
            return wp, op
        rng = random.Random(SEED)
        vs = set(vocab)
        words = [vocab[rng.randrange(len(vocab))] for _ in range(n)]
        letters = "abcdefghijklmnopqrstuvwxyz"
        oov = []
        tries = 0
        while len(oov) < n and tries < 100 * n:
            tries += 1
            w = vocab[rng.randrange(min(len(vocab), 50000))]
            if synthetic:
                cand = w + rng.choice(letters)
            else:
                if len(w) < 4:
                    continue
                i = rng.randrange(len(w))
                op_ = rng.randrange(4)
                if op_ == 0:
                    cand = w[:i] + w[i + 1:]
                elif op_ == 1 and i < len(w) - 1:
                    cand = w[:i] + w[i + 1] + w[i] + w[i + 2:]
                elif op_ == 2:
                    cand = w[:i] + rng.choice(letters) + w[i + 1:]
                else:
                    cand = w[:i] + rng.choice(letters) + w[i:]
            if cand not in vs and cand not in oov:
                oov.append(cand)
        write_text(wp, "\n".join(words) + "\n")
        write_text(op, "\n".join(oov) + "\n")
        return wp, op

    def train_fasttext(self):
        bin_, vec = self.w("ft.bin"), self.w("ft.vec")
        params = dict(model="skipgram", dim=100, epoch=1 if self.quick else 3, minCount=5, thread=2, minn=3, maxn=6,
                      bucket=200000 if self.quick else 2000000, verbose=0)
        slice_note = "every 5th line of words-en" + (" (first 8000 of them)" if self.quick else "")

        def train(_):   # ft.bin and ft.vec
            import fasttext
            slice_ = self.w("ft-slice.txt")
            lines = 0
            with atomic_open(slice_) as o:
                for line in itertools.islice(read_lines(CORPUS), 0, None, 5):
                    o.write(line)
                    lines += 1
                    if self.quick and lines >= 8000:
                        break
            log("fasttext train_unsupervised", params, "on", lines, "lines")
            t0 = time.time()
            m = fasttext.train_unsupervised(str(slice_), **params)
            train_s = time.time() - t0
            m.save_model(str(bin_))
            words = m.words
            with atomic_open(vec) as o:
                o.write(f"{len(words)} {m.get_dimension()}\n")
                for w in words:
                    o.write(w + " " + " ".join(f"{x:.6g}" for x in m.get_word_vector(w)) + "\n")
            return {"params": params, "lines": lines, "train_s": train_s, "slice": slice_note}
        self.cached("train_ft", bin_, {"params": params, "slice": slice_note}, train, atomic=False)
        return bin_, vec

    def synthetic(self, n, dim=300):
        name = f"synth-{n // 1000}k"
        p = self.w(name + ".bin")
        recipe = ("1000 centres N(0, I); row = centre[uniform] + 0.061 x (N(0, I_32) @ B), B ~ N(0,1) 32x300 "
                  "(rank-32 noise, norm ~6) + N(0, 0.1^2 I); keys w0..w{n-1}; word2vec binary")

        def generate(target):
            import numpy as np
            log(f"generating {n} x {dim} clustered vectors")
            t0 = time.time()
            rng = np.random.default_rng(SEED)
            centers = rng.standard_normal((1000, dim)).astype(np.float32)
            basis = rng.standard_normal((32, dim)).astype(np.float32)
            chunk = 50000
            with open(target, "wb") as f:
                f.write(f"{n} {dim}\n".encode())
                for s in range(0, n, chunk):
                    m = min(chunk, n - s)
                    a = rng.integers(0, 1000, m)
                    x = centers[a] + 0.061 * (rng.standard_normal((m, 32)).astype(np.float32) @ basis) \
                        + 0.1 * rng.standard_normal((m, dim)).astype(np.float32)
                    x = x.astype("<f4")
                    f.write(b"".join(b"w%d " % (s + i) + x[i].tobytes() + b"\n" for i in range(m)))
            return {"rows": n, "dim": dim, "seed": SEED, "gen_s": time.time() - t0, "recipe": recipe}
        self.cached(f"synth_{name}", p, {"rows": n, "dim": dim, "seed": SEED, "recipe": recipe}, generate, atomic=True)
        return p, name

    def synthetic_index(self, sbin, slxv, sname, n):
        """Indexes the synthetic file if the estimated time is under --index-budget minutes, else a 200k slice."""
        if self.quick:
            return self.index(slxv, self.w(f"{sname}-f32-hnsw.lxv")), n, "all rows indexed"
        key = "index_probe"
        probe = self.convert(sbin, self.w("synth-probe-20k.lxv"), "--dtype", "f32", "--max-words", 20000)
        t = self.prep["index_" + self.index(probe, self.w("synth-probe-20k-hnsw.lxv")).name]["wall_s"]
        est = t * (n / 20000) * math.log(n) / math.log(20000)
        self.prep[key] = {"rows": 20000, "index_s": t, "estimate_1m_s": est}
        if est <= self.a.index_budget * 60:
            return self.index(slxv, self.w(f"{sname}-f32-hnsw.lxv")), n, f"all rows indexed (estimate {est / 60:.0f} min)"
        small = self.convert(sbin, self.w("synth-200k-f32.lxv"), "--dtype", "f32", "--max-words", 200000)
        note = (f"indexing all {n:,} rows was estimated at {est / 60:.0f} min from a 20k-row probe "
                f"({self.prep[key]['index_s']:.0f} s), over the {self.a.index_budget:.0f} min budget: "
                f"HNSW figures are on the first 200k rows (`--max-words 200000`)")
        return self.index(small, self.w("synth-200k-f32-hnsw.lxv")), 200000, note

    def file_sizes(self, sg_bin, sg_vec, sub_bin, sub_vec, ft_bin, ft_vec, lx, synth, kv_sg, kv_sub, kv_ft):
        def sz(p):
            return os.path.getsize(p)

        def kvsz(kv):
            return sum(sz(f) for f in kv_files(kv))
        f32 = sz(lx["f32"])
        rows = {
            "words-sg": {"vec": sz(sg_vec), "bin": sz(sg_bin), "gensim_kv": kvsz(kv_sg),
                         "lxv_f32": f32, "lxv_f16": sz(lx["f16"]), "lxv_int8": sz(lx["int8"]),
                         "lxv_f32_hnsw": sz(lx["hnsw"])},
            "words-sgsub": {"vec": sz(sub_vec), "bin": sz(sub_bin), "gensim_kv": kvsz(kv_sub),
                            "lxv_f32": sz(lx["sub-f32"]), "lxv_int8": sz(lx["sub-int8"])},
            "ft": {"vec": sz(ft_vec), "bin": sz(ft_bin), "gensim_kv": kvsz(kv_ft), "lxv_f32": sz(lx["ft"])},
        }
        if synth:
            rows[synth["name"]] = {"bin": sz(synth["bin"]), "gensim_kv": kvsz(synth["kv"]), "lxv_f32": sz(synth["lxv"]),
                                   "lxv_f32_hnsw": sz(synth["hnsw"]), "hnsw_rows": synth["hnsw_rows"],
                                   "hnsw_note": synth["hnsw_note"]}
        info = {}
        for name, p in [("words-sg-f32", lx["f32"]), ("words-sgsub-f32", lx["sub-f32"]), ("ft-f32", lx["ft"])] + \
                ([(synth["name"] + "-f32", synth["lxv"])] if synth else []):
            r = self.storebench("open", p, "--word", "the")
            info[name] = {"count": r["count"], "dim": r["dim"], "subwords": r["subwords"]}
        rows["shapes"] = info
        return rows

