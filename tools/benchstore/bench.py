"""The whole run of tools/bench_store.py: class Bench = inputs + measurements + summary + README section."""
import datetime
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchstore import MAGNITUDE_CITED, RESULTS, ROOT, TARGETS, WS353
from benchstore.inputs import Inputs
from benchstore.measure import Measure
from benchstore.procs import gensim_child
from benchstore.report import Report
from benchstore.summary import Summary
from lexel_tools import log, machine_info, write_json


class Bench(Inputs, Measure, Summary, Report):
    def __init__(self, a):
        self.a = a
        self.quick = a.quick
        self.work = Path(a.workdir) / ("quick" if a.quick else "")
        self.work.mkdir(parents=True, exist_ok=True)
        # a snapshot of the lexel binary, so that a rebuild in .build during the run cannot change it
        src = Path(a.lexel)
        self.lexel = self.work / "lexel"
        shutil.copy2(src, self.lexel)
        self.lexel_mtime = time.strftime("%Y-%m-%d %H:%M", time.localtime(src.stat().st_mtime))
        self.sb = Path(a.storebench)
        self.repeats = a.repeats
        self.prep = {}   # how each input was made (from its FILE.json when cached): see Inputs.cached
        self.res = {"magnitude_cited": MAGNITUDE_CITED, "targets": TARGETS}

    def w(self, name) -> Path:
        return self.work / name

    # --- the whole run ---------------------------------------------------------------------------------------
    def run(self):
        a = self.a
        t_start = time.time()
        self.res["meta"] = self.meta()
        self.memory()

        # a. words-en trained by Lexel, without and with subwords
        sg_bin, sg_vec = self.train_lexel("words-sg", ["-maxn", "0"])
        sub_bin, sub_vec = self.train_lexel("words-sgsub", [])
        lx = {}
        for dt in ("f32", "f16", "int8"):
            lx[dt] = self.convert(sg_bin, self.w(f"words-sg-{dt}.lxv"), "--dtype", dt)
        lx["sub-f32"] = self.convert(sub_bin, self.w("words-sgsub-f32.lxv"), "--dtype", "f32")
        lx["sub-int8"] = self.convert(sub_bin, self.w("words-sgsub-int8.lxv"), "--dtype", "int8")
        lx["hnsw"] = self.index(lx["f32"], self.w("words-sg-f32-hnsw.lxv"))
        vocab = self.vocab_of_vec(sg_vec)
        sub_vocab = self.vocab_of_vec(sub_vec)
        kv_sg = self.gensim_native(sg_vec, self.w("words-sg.kv"), "text")
        kv_sub = self.gensim_native(sub_vec, self.w("words-sgsub.kv"), "text")
        words, oov = self.word_lists("words-sg", vocab, 300 if self.quick else 1000)
        swords, soov = self.word_lists("words-sgsub", sub_vocab, 300 if self.quick else 1000)

        # b. fastText .bin
        ft_bin, ft_vec = self.train_fasttext()
        lx["ft"] = self.convert(ft_bin, self.w("ft-f32.lxv"), "--dtype", "f32")
        kv_ft = self.gensim_native(ft_bin, self.w("ft.kv"), "facebook")
        ft_vocab = self.vocab_of_vec(ft_vec)
        fwords, foov = self.word_lists("ft", ft_vocab, 300 if self.quick else 1000)

        # c. synthetic
        synth = None
        if not a.skip_synthetic:
            n = 20000 if self.quick else 1000000
            sbin, sname = self.synthetic(n)
            slxv = self.convert(sbin, self.w(f"{sname}-f32.lxv"), "--dtype", "f32")
            kv_syn = self.gensim_native(sbin, self.w(f"{sname}.kv"), "binary")
            swl, sol = self.word_lists(sname, [f"w{i}" for i in range(n)], 300 if self.quick else 500, synthetic=True)
            synth = {"name": sname, "bin": sbin, "lxv": slxv, "kv": kv_syn, "n": n, "words": swl, "oov": sol}
            synth["hnsw"], synth["hnsw_rows"], synth["hnsw_note"] = self.synthetic_index(sbin, slxv, sname, n)

        self.res["files"] = self.file_sizes(sg_bin, sg_vec, sub_bin, sub_vec, ft_bin, ft_vec, lx, synth,
                                            kv_sg, kv_sub, kv_ft)
        self.res["prep"] = self.prep
        self.ws353("words-sg-f32", lx["f32"], vocab)
        self.ws353("words-sg-f16", lx["f16"], vocab)
        self.ws353("words-sg-int8", lx["int8"], vocab)
        self.ws353("words-sgsub-f32", lx["sub-f32"], sub_vocab)
        self.ws353("words-sgsub-int8", lx["sub-int8"], sub_vocab)
        g = gensim_child("ws353", {"path": str(sg_vec), "pairs": str(WS353)})
        self.res["ws353"]["gensim-words-sg-vec"] = g

        # open -> first lookup
        first = vocab[len(vocab) // 2]
        self.open_pair("words-sg-f32", lx["f32"], kv_sg, first)
        self.open_pair("words-sg-int8", lx["int8"], None, first)
        self.open_pair("words-sgsub-f32", lx["sub-f32"], kv_sub, sub_vocab[len(sub_vocab) // 2])
        self.open_pair("ft-f32", lx["ft"], kv_ft, ft_vocab[len(ft_vocab) // 2])
        if synth:
            self.open_pair(synth["name"] + "-f32", synth["lxv"], synth["kv"], f"w{synth['n'] // 2}")
        self.memory()

        # gensim's text/binary loaders
        self.load_text("words-sg.vec", sg_vec, first)
        self.load_text("ft.vec", ft_vec, ft_vocab[0])
        self.load_text("ft.bin (load_facebook_vectors)", ft_bin, ft_vocab[0], facebook=True)
        if synth:
            self.load_text(synth["name"] + ".bin", synth["bin"], "w1", binary=True)

        # lookups
        lim, cold = (300, 50) if self.quick else (1000, 200)
        self.lookups("words-sg-f32", lx["f32"], kv_sg, words, oov, lim, cold)
        self.lookups("words-sg-int8", lx["int8"], None, words, oov, lim, cold)
        self.lookups("words-sgsub-f32", lx["sub-f32"], kv_sub, swords, soov, lim, cold)
        self.lookups("ft-f32", lx["ft"], kv_ft, fwords, foov, lim, cold)
        if synth:
            self.lookups(synth["name"] + "-f32", synth["lxv"], synth["kv"], synth["words"], synth["oov"],
                         300 if self.quick else 500, 50 if self.quick else 100)

        # most_similar
        self.memory()
        self.search("words-sg-f32", lx["hnsw"], kv_sg, 100)
        self.search("words-sg-int8", lx["int8"], None, 100)
        self.search("words-sg-f16", lx["f16"], None, 100)
        if synth:
            self.search(synth["name"] + "-f32", synth["hnsw"] if synth["hnsw_rows"] == synth["n"] else synth["lxv"],
                        synth["kv"], 20 if self.quick else 30)
            if synth["hnsw_rows"] != synth["n"]:
                self.search(f"synth-{synth['hnsw_rows'] // 1000}k-f32", synth["hnsw"], None, 30)
        self.memory()

        # lexel CLI end to end
        self.cli("words-sg-f32", lx["hnsw"], words)
        self.cli("words-sg-f32", lx["hnsw"], words, ann=True)
        if synth:
            self.cli(synth["name"] + "-f32", synth["lxv"], synth["words"], n=10)

        self.res["meta"]["load_end"] = os.getloadavg()
        self.res["meta"]["total_s"] = time.time() - t_start
        self.res["summary"] = self.summary()
        date = datetime.date.today().isoformat()
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / (f"store-quick-{date}.json" if self.quick else f"store-{date}.json")
        write_json(out, self.res, indent=1, default=lambda o: o.item() if hasattr(o, "item") else str(o))
        log("wrote", out)
        if not self.quick or a.readme:
            self.write_readme(out)

    def meta(self):
        import numpy
        import gensim

        def sh(cmd):
            try:
                return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
            except Exception:
                return ""
        m = machine_info()
        return {"date": datetime.date.today().isoformat(),
                "command": shlex.join(["tools/.venv/bin/python", "tools/bench_store.py", *sys.argv[1:]]),
                "cpus": m["cpus"], "cpu": m["cpu"], "mem_gb": m["mem_gb"], "kernel": m["kernel"], "python": m["python"],
                "numpy": numpy.__version__, "gensim": gensim.__version__, "git": sh(["git", "describe", "--always", "--dirty"]),
                "git_status_sources": sh(["git", "status", "--short", "Sources"]).splitlines(),
                "lexel": f"{self.a.lexel} (built {self.lexel_mtime}, copied to {self.lexel})",
                "storebench": str(self.sb), "load_start": os.getloadavg(),
                "repeats": self.repeats, "quick": self.quick, "workdir": str(self.work)}

