"""The measurement groups of tools/bench_store.py (class Measure, a mixin of Bench): Lexel (StoreBench, the lexel CLI)
and gensim alternate within each repeat."""
import shlex
from pathlib import Path

from benchstore import WS353
from benchstore.procs import gensim_child, json_of, median, run_peak
from lexel_tools import log, write_text


class Measure:
    def lexel_cmd(self, *args, stdin_text=None):
        out, wall, peak = run_peak([str(self.lexel), *map(str, args)], stdin_text=stdin_text)
        return out, wall, peak

    def storebench(self, *args):
        out, wall, peak = run_peak([str(self.sb), *map(str, args)])
        r = json_of(out)
        r["wall_s"] = wall
        r["child_peak_rss_kb"] = peak
        return r

    def memory(self):
        mib = 256 if self.quick else 2048
        r = self.storebench("memory", "--threads", 2, "--mib", mib)
        self.res.setdefault("memory", []).append(r)
        log(f"memory: read {r['read_gbps']:.1f} GB/s, triad {r['triad_gbps']:.1f} GB/s")
        return r

    def open_pair(self, name, lxv, kv, word):
        """Disk-cold then warm open -> first lookup, Lexel and gensim alternating, repeats."""
        rec = self.res.setdefault("open", {}).setdefault(name, {"lexel_cold": [], "lexel_warm": [],
                                                                "gensim_cold": [], "gensim_warm": [],
                                                                "file": str(lxv), "kv": str(kv), "word": word})
        for r in range(self.repeats):
            def lex():
                rec["lexel_cold"].append(self.storebench("open", lxv, "--word", word, "--evict"))
                rec["lexel_warm"].append(self.storebench("open", lxv, "--word", word))

            def gen():
                if kv is None:
                    return
                rec["gensim_cold"].append(gensim_child("open", {"kv": str(kv), "word": word, "evict": True}))
                rec["gensim_warm"].append(gensim_child("open", {"kv": str(kv), "word": word, "evict": False}))
            for f in ((lex, gen) if r % 2 == 0 else (gen, lex)):
                f()
        lc = median([x["total_ms"] for x in rec["lexel_cold"]])
        gc = median([x["total_ms"] for x in rec["gensim_cold"]])
        log(f"open {name}: lexel cold {lc:.2f} ms; gensim mmap cold {gc if gc is None else round(gc, 1)} ms")

    def load_text(self, name, path, word, binary=False, facebook=False):
        rec = self.res.setdefault("load_text", {}).setdefault(name, {"path": str(path), "gensim": []})
        for _ in range(self.repeats):
            rec["gensim"].append(gensim_child("load_text", {"path": str(path), "word": word, "binary": binary,
                                                            "facebook": facebook}))
        log(f"gensim load {name}: {median([x['load_s'] for x in rec['gensim']]):.2f} s")

    def lookups(self, name, lxv, kv, words, oov, limit, cold):
        rec = self.res.setdefault("lookups", {}).setdefault(name, {"lexel": [], "gensim": [], "file": str(lxv)})
        for r in range(self.repeats):
            def lex():
                rec["lexel"].append(self.storebench("lookups", lxv, "--words", words, "--oov", oov,
                                                    "--limit", limit, "--cold", cold))

            def gen():
                if kv is not None:
                    rec["gensim"].append(gensim_child("lookups", {"kv": str(kv), "words": str(words), "oov": str(oov),
                                                                  "limit": limit, "cold": cold}))
            for f in ((lex, gen) if r % 2 == 0 else (gen, lex)):
                f()
        lx = rec["lexel"]
        log(f"lookups {name}: lexel inv p50 {median([x['warm_inv']['p50_us'] for x in lx]):.1f} us, "
            f"oov p50 {median([x['warm_oov']['p50_us'] for x in lx]):.1f} us, "
            f"cold oov p50 {median([x['cold_oov']['p50_us'] for x in lx]):.1f} us")

    def search(self, name, lxv, kv, nq, gensim=True, repeats=None):
        rec = self.res.setdefault("search", {}).setdefault(name, {"lexel": [], "gensim": [], "file": str(lxv)})
        rows_file = self.w(f"{name}-query-rows.txt")
        for r in range(repeats or self.repeats):
            def lex():
                x = self.storebench("search", lxv, "--queries", nq, "--k", 10, "--threads", 2, "--dump")
                write_text(rows_file, "\n".join(map(str, x["rows"])) + "\n")
                rec["lexel"].append(x)

            def gen():
                if kv is None or not gensim:
                    return
                if not rec["lexel"]:
                    lex()
                rows = [int(x) for x in rows_file.read_text().split()]
                g = gensim_child("search", {"kv": str(kv), "rows": rows, "k": 10})
                ex = rec["lexel"][-1]["exact_rows"]
                g["overlap_with_lexel_exact"] = sum(len(set(a) & set(b)) for a, b in zip(g["tops"], ex)) / (10 * len(ex))
                del g["tops"]
                rec["gensim"].append(g)
            for f in ((lex, gen) if r % 2 == 0 else (gen, lex)):
                f()
        for x in rec["lexel"]:
            x.pop("exact_rows", None)
        lx = rec["lexel"]
        log(f"search {name}: lexel exact p50 {median([x['exact_ms_p50'] for x in lx]):.2f} ms, "
            f"{median([x['scan_gbps_p50'] for x in lx]):.1f} GB/s"
            + (f"; gensim {median([x['ms_p50'] for x in rec['gensim']]):.2f} ms" if rec["gensim"] else ""))

    def cli(self, name, lxv, words_file, n=20, ann=False):
        words = [w for w in Path(words_file).read_text().split("\n") if w][:n]
        rec = self.res.setdefault("cli", {}).setdefault(name + ("-ann" if ann else ""), [])
        for _ in range(self.repeats):
            args = ["query", lxv, "--most-similar", 10, "--threads", 2] + (["--ann", "--ef", 64] if ann else [])
            out, wall, peak = self.lexel_cmd(*args, stdin_text="\n".join(words) + "\n")
            rec.append({"cmd": shlex.join(map(str, [self.lexel, *args])) + f" < {n} words", "wall_s": wall,
                        "queries": n, "peak_rss_kb": peak, "lines": len(out.splitlines())})

    def ws353(self, name, lxv, vocab):
        from scipy.stats import spearmanr
        pairs = []
        for line in WS353.read_text().splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            a, b, s = line.split("\t")[:3]
            pairs.append((a.lower(), b.lower(), float(s)))
        out, wall, _ = self.lexel_cmd("query", lxv, "--similarity", stdin_text="".join(f"{a} {b}\n" for a, b, _ in pairs))
        sims = [float(x) for x in out.split()]
        assert len(sims) == len(pairs), (len(sims), len(pairs))
        vs = set(vocab)
        inv = [i for i, (a, b, _) in enumerate(pairs) if a in vs and b in vs]
        rho_all = float(spearmanr([p[2] for p in pairs], sims).correlation)
        rho_inv = float(spearmanr([pairs[i][2] for i in inv], [sims[i] for i in inv]).correlation)
        r = {"file": str(lxv), "pairs": len(pairs), "in_vocab_pairs": len(inv), "spearman_in_vocab": rho_inv,
             "spearman_all_with_oov_vectors": rho_all}
        self.res.setdefault("ws353", {})[name] = r
        log(f"ws353 {name}: {rho_inv:.4f} ({len(inv)} pairs), all {rho_all:.4f}")
        return r

