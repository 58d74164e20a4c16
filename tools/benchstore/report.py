"""The `## Vector store: side by side` section of Benchmarks/README.md (class Report, a mixin of Bench)."""
import os
from pathlib import Path

from benchstore import MAGNITUDE_CITED, README, ROOT, SECTION
from lexel_tools import log, replace_section


class Report:
    def write_readme(self, results_path):
        S = self.res["summary"]
        R = self.res
        M = R["meta"]
        L = []
        L.append(SECTION)
        L.append("")
        L.append(f"Date: {M['date']}. Command: `{M['command']}` (about {M['total_s'] / 60:.0f} min with cached inputs "
                 f"under `{M['workdir']}`; the first run also trains the inputs).")
        L.append("")
        L.append(f"Machine: {M['cpus']} CPUs ({M['cpu']}), {M['mem_gb']} GB RAM, Linux {M['kernel']}, Python {M['python']}; "
                 f"load average {M['load_start'][0]:.1f} at the start and {M['load_end'][0]:.1f} at the end (other jobs were "
                 f"running: absolute figures are pessimistic, ratios are fairer). Versions: gensim {M['gensim']}, numpy "
                 f"{M['numpy']}, lexel git {M['git']}.")
        L.append("")
        L.append("How: Lexel = `Benchmarks/Benchmarks/StoreBench` (one fresh process per measurement, one JSON line each) "
                 "and the `lexel` CLI; gensim = `KeyedVectors` in a fresh Python child per measurement, BLAS pinned to "
                 "2 threads (`OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2`). Lexel and gensim alternate; every figure is "
                 f"the median over {M['repeats']} repeats. Disk-cold = the file's pages dropped from the page cache with "
                 "`posix_fadvise(POSIX_FADV_DONTNEED)` first (for gensim: the .kv and its .npy files). gensim's "
                 "native files are written with `kv.save(path, sep_limit=0)` so that `KeyedVectors.load(path, mmap='r')` "
                 "maps the arrays. Each `*.lxv` is `lexel convert IN OUT --dtype D`.")
        L.append("")
        # inputs
        F = R["files"]
        P = R["prep"]
        sh = F["shapes"]
        L.append("Inputs:")
        L.append("")
        L.append(f"- `words-sg`: `lexel skipgram -input words-en.txt.zst -thread 2 -maxn 0` (dim 100, 5 epochs): "
                 f"{sh['words-sg-f32']['count']:,} x {sh['words-sg-f32']['dim']}; `words-sgsub`: the same with subwords "
                 f"(minn 3, maxn 6, bucket 2M): {sh['words-sgsub-f32']['count']:,} words.")
        ft = P["train_ft"]
        L.append(f"- `ft`: `fasttext.train_unsupervised` on {ft['slice']} ({ft['lines']:,} lines), skip-gram dim 100, "
                 f"{ft['params']['epoch']} epochs, minn 3 maxn 6, bucket {ft['params']['bucket']:,}, 2 threads "
                 f"({ft['train_s']:.0f} s): {sh['ft-f32']['count']:,} words.")
        syn = [k for k in F if k.startswith("synth-")]
        if syn:
            s = syn[0]
            rec = P[f"synth_{s}"]
            L.append(f"- `{s}`: synthetic {rec['rows']:,} x {rec['dim']}, {rec['recipe']}. {F[s]['hnsw_note'][0].upper() + F[s]['hnsw_note'][1:]}.")
        L.append("")
        # sizes
        L.append("### Files")
        L.append("")
        L.append("| vectors | .vec text | .bin | gensim .kv + .npy | .lxv f32 | .lxv f16 | .lxv int8 | int8 / f32 | f32 .lxv / .bin |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")

        def mb(x):
            return f"{x / 1e6:,.1f} MB" if x is not None else "-"
        for n in ["words-sg", "words-sgsub", "ft"] + syn:
            f = F[n]
            i8 = f.get("lxv_int8")
            L.append(f"| {n} | {mb(f.get('vec'))} | {mb(f.get('bin'))} | {mb(f.get('gensim_kv'))} | {mb(f['lxv_f32'])} | "
                     f"{mb(f.get('lxv_f16'))} | {mb(i8)} | {(i8 / f['lxv_f32']) if i8 else 0:.3f} | "
                     f"{f['lxv_f32'] / f['bin']:.2f} |".replace("| 0.000 |", "| - |"))
        L.append("")
        L.append("`.bin` = the model as trained (Lexel and fastText models hold the subword rows and the output matrix; "
                 "the synthetic one is word2vec binary). gensim .kv = `KeyedVectors.save` (FastTextKeyedVectors keeps all "
                 "n-gram buckets, as does the ft .lxv: fastText initialises every bucket, so none is dropped). With HNSW "
                 "(M 16, efConstruction 200): "
                 + ", ".join(f"{n} ({F[n].get('hnsw_rows', sh.get(n + '-f32', {}).get('count', 0)):,} rows) "
                             f"{mb(F[n]['lxv_f32_hnsw'])}" for n in ["words-sg"] + syn) + ".")
        L.append("")
        W = R["ws353"]
        L.append(f"WordSim353 Spearman (`lexel query --similarity` on the lower-cased pairs; the {W['words-sg-f32']['in_vocab_pairs']} "
                 f"pairs with both words in the vocabulary, all {W['words-sg-f32']['pairs']} with OOV vectors in brackets):")
        L.append("")
        L.append("| file | f32 | f16 | int8 | int8 - f32 |")
        L.append("|---|---:|---:|---:|---:|")
        w = W
        L.append(f"| words-sg | {w['words-sg-f32']['spearman_in_vocab']:.4f} ({w['words-sg-f32']['spearman_all_with_oov_vectors']:.4f}) | "
                 f"{w['words-sg-f16']['spearman_in_vocab']:.4f} | {w['words-sg-int8']['spearman_in_vocab']:.4f} "
                 f"({w['words-sg-int8']['spearman_all_with_oov_vectors']:.4f}) | "
                 f"{w['words-sg-int8']['spearman_in_vocab'] - w['words-sg-f32']['spearman_in_vocab']:+.4f} |")
        L.append(f"| words-sgsub | {w['words-sgsub-f32']['spearman_in_vocab']:.4f} ({w['words-sgsub-f32']['spearman_all_with_oov_vectors']:.4f}) | - | "
                 f"{w['words-sgsub-int8']['spearman_in_vocab']:.4f} ({w['words-sgsub-int8']['spearman_all_with_oov_vectors']:.4f}) | "
                 f"{w['words-sgsub-int8']['spearman_in_vocab'] - w['words-sgsub-f32']['spearman_in_vocab']:+.4f} |")
        L.append("")
        L.append(f"Cross-check: gensim `evaluate_word_pairs` on `words-sg.vec`: {w['gensim-words-sg-vec']['spearman']:.4f}.")
        L.append("")
        # open
        L.append("### Open -> first lookup")
        L.append("")
        L.append("Lexel: `VectorFile(path:)` then the first `vector(for:)` of a mid-vocabulary word, in a fresh process. "
                 "gensim: `KeyedVectors.load(path, mmap='r')` then `kv[word]` (copied). RSS = VmRSS of the whole process "
                 "(Lexel: StoreBench links LexelStore and the Swift runtime, no Foundation; gensim: Python + numpy + gensim "
                 "imported). MB read = storage bytes read during `VectorFile(path:)` (`/proc/self/io`).")
        L.append("")
        L.append("| file | Lexel disk-cold open + lookup ms (MB read by open) | Lexel warm ms | Lexel RSS before / after open / after lookup MB | "
                 "gensim mmap disk-cold ms | gensim warm ms | gensim RSS before / after load MB |")
        L.append("|---|---:|---:|---:|---:|---:|---:|")
        for n, e in S["open"].items():
            lc, lw = e["lexel_cold"], e["lexel_warm"]
            gc, gw = e.get("gensim_cold"), e.get("gensim_warm")
            L.append(f"| {n} | {lc['open_ms']:.2f} + {lc['first_lookup_ms']:.2f} = **{lc['total_ms']:.2f}** ({lc['open_read_mb']:.1f}) | "
                     f"{lw['total_ms']:.2f} | {lc['rss_before_mb']:.1f} / {lc['rss_open_mb']:.1f} / {lc['rss_lookup_mb']:.1f} | "
                     + (f"{gc['open_ms']:.1f} + {gc['first_lookup_ms']:.2f} = {gc['total_ms']:.1f} | {gw['total_ms']:.1f} | "
                        f"{gc['rss_before_mb']:.0f} / {gc['rss_open_mb']:.0f} |" if gc else "- | - | - |"))
        L.append("")
        L.append("gensim's loaders (the usual way in; whole file parsed into RAM):")
        L.append("")
        L.append("| input | load s | first lookup ms | peak RSS MB |")
        L.append("|---|---:|---:|---:|")
        for n, e in S["load_text"].items():
            L.append(f"| {n} | {e['load_s']:.2f} | {e['first_lookup_ms']:.3f} | {e['peak_rss_mb']:.0f} |")
        L.append("")
        # lookups
        L.append("### Lookups")
        L.append("")
        L.append("Each word is looked up once per variant; p50 in microseconds (p99 and fault counts in the JSON). "
                 "In-vocabulary words are drawn uniformly over rows; OOV words are one-edit misspellings of words among "
                 "the 50k most frequent that are not keys. Lexel variants: *open file* = first lookup of the word in a "
                 "`VectorFile` opened once for the list (pages of earlier words stay mapped); *repeat* = the same word "
                 "again (Magnitude's 'warm single key'); *fresh* = a new `VectorFile(path:)` for every word (no "
                 "in-process state, a new mapping, page cache warm; only `vector(for:)` is timed); *disk-cold* = "
                 "the file evicted before each fresh open; *+RANDOM* = disk-cold with `madvise(MADV_RANDOM)` applied by "
                 "the benchmark to the mapping after open. MB read = storage bytes read by one disk-cold lookup "
                 "(`/proc/self/io`).")
        L.append("")
        L.append("| file | OOV vectors from | words | open file | repeat | fresh (minor faults) | disk-cold (MB read) | "
                 "disk-cold +RANDOM (MB read) |")
        L.append("|---|---|---|---:|---:|---:|---:|---:|")

        def us(x):
            v = x["p50_us"]
            return f"{v:.1f}" if v < 100 else f"{v:,.0f}"
        for n, e in S["lookups"].items():
            lx = e["lexel"]
            method = "subword rows" if lx["subwords"] else "spelling neighbours (oov-index)"
            for kind, label in (("inv", "in-vocab"), ("oov", "OOV")):
                c, cr = lx[f"cold_{kind}"], lx[f"cold_random_{kind}"]
                L.append(f"| {n} | {method} | {label} | {us(lx[f'proc_{kind}'])} | {us(lx[f'hot_{kind}'])} | "
                         f"{us(lx[f'warm_{kind}'])} ({lx[f'warm_{kind}']['minor_faults_p50']:.0f}) | "
                         f"{us(c)} ({c['read_kb_p50'] / 1024:.2f}) | {us(cr)} ({cr['read_kb_p50'] / 1024:.2f}) |")
        L.append("")
        L.append("gensim (`KeyedVectors.load(path, mmap='r')` once, then `kv[word]` copied; disk-cold = its .npy files "
                 "evicted before each lookup):")
        L.append("")
        L.append("| file | in-vocab | in-vocab disk-cold | OOV | OOV disk-cold |")
        L.append("|---|---:|---:|---:|---:|")
        for n, e in S["lookups"].items():
            g = e.get("gensim")
            if not g:
                continue
            if g["oov_behaviour"] == "KeyError":
                oo = f"KeyError ({us(g['warm_oov'])})"
                oc = "KeyError"
            else:
                oo, oc = us(g["warm_oov"]) + " (n-grams)", us(g["cold_oov"])
            L.append(f"| {n} | {us(g['warm_inv'])} | {us(g['cold_inv'])} | {oo} | {oc} |")
        L.append("")
        # search
        L.append("### most_similar (top 10)")
        L.append("")
        L.append(f"Memory read bandwidth (StoreBench `memory --threads 2 --mib 2048`, sum of an f32 array, best of 5, median "
                 f"of {len(R['memory'])} runs through the session): **{S['memory_read_gbps']:.1f} GB/s** (triad "
                 f"{S['memory_triad_gbps']:.1f} GB/s). Queries are rows of the file (the row itself excluded), seeded; "
                 "Lexel `mostSimilar(to:k:excluding:options:)` with `SearchOptions(threads: 2)` after one warm-up pass; "
                 "batched = all queries in one call. Scan GB/s = rows x dim x bytes per value / time per query (batched: per "
                 "query, so above the memory bandwidth when queries share each read of a row). gensim "
                 "`most_similar(word, topn=10)` after a warm-up pass; its batched figure is numpy "
                 "(`vectors @ Q.T / norms`, argpartition), since gensim has no batched most_similar.")
        L.append("")
        L.append("| file | rows x dim | Lexel exact ms (p50) | Lexel batched ms/query | scan GB/s (share of memory bw) | "
                 "gensim ms (p50) | numpy batched ms/query | gensim top-10 = Lexel's | peak RSS MB Lexel / gensim |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for n, e in S["search"].items():
            L.append(f"| {n} ({e['dtype']}) | {e['count']:,} x {e['dim']} | {e['lexel_exact_ms_p50']:.2f} | {e['lexel_batched_ms']:.2f} | "
                     f"{e['lexel_scan_gbps']:.1f} ({e['fraction_of_memory']:.0%}); batched {e['lexel_scan_gbps_batched']:.1f} | "
                     + (f"{e['gensim_ms_p50']:.2f} | {e['gensim_batched_ms']:.2f} | {e['gensim_overlap']:.3f} | "
                        f"{e['lexel_peak_rss_mb']:.0f} / {e['gensim_peak_rss_mb']:.0f} |"
                        if "gensim_ms_p50" in e else f"- | - | - | {e['lexel_peak_rss_mb']:.0f} / - |"))
        L.append("")
        ann = [(n, e) for n, e in S["search"].items() if "ann" in e]
        if ann:
            L.append("HNSW (`lexel index FILE`, M 16, efConstruction 200; `approximateMostSimilar(to:k:ef:)`), recall@10 "
                     "against the exact top 10:")
            L.append("")
            L.append("| file | index build s | ef | ms (p50) | recall@10 | speed-up vs exact |")
            L.append("|---|---:|---:|---:|---:|---:|")
            for n, e in ann:
                fname = Path(R["search"][n]["file"]).name
                b = P.get(f"index_{fname}", {}).get("wall_s")
                for a in e["ann"]:
                    L.append(f"| {n} | {b:.0f} | {a['ef']} | {a['ms_p50']:.3f} | {a['recall']:.3f} | {a['speedup']:.0f}x |"
                             if b else f"| {n} | - | {a['ef']} | {a['ms_p50']:.3f} | {a['recall']:.3f} | {a['speedup']:.0f}x |")
            L.append("")
        if S["cli"]:
            L.append("`lexel query` end to end (process start, open, queries from stdin, exit):")
            L.append("")
            L.append("| command | wall s | per query ms | peak RSS MB |")
            L.append("|---|---:|---:|---:|")
            for n, e in S["cli"].items():
                L.append(f"| `{e['cmd'].replace(str(self.lexel), 'lexel').replace(str(self.work) + '/', '')}` | {e['wall_s']:.3f} | "
                         f"{e['wall_s'] / e['queries'] * 1e3:.1f} | {e['peak_rss_mb']:.0f} |")
            L.append("")
        # magnitude
        mg = MAGNITUDE_CITED
        L.append("### Magnitude (cited, not measured)")
        L.append("")
        L.append(f"`pymagnitude` 0.1.143 {self.a.magnitude_note}. Its README's own figures (Magnitude Light, "
                 f"GoogleNews 3M x 300, 4.21 GB file, MacBook Pro 2014, SSD), for scale only: initial load "
                 f"{mg['initial_load_s']} s, cold single key {mg['cold_single_key_s'] * 1e3:.1f} ms, warm single key "
                 f"{mg['warm_single_key_s'] * 1e3:.2f} ms, first most_similar {mg['first_most_similar_worst_s']} s "
                 f"(worst case) / {mg['first_most_similar_with_disk_cache_s']} s (with its disk cache), subsequent "
                 f"most_similar {mg['subsequent_most_similar_s']} s, most_similar_approx (annoy, Heavy) "
                 f"{mg['most_similar_approx_effort_1_s']} s at effort 1.0 / {mg['most_similar_approx_effort_0.1_s']} s "
                 f"at 0.1, RAM {mg['ram_after_load_kb']} KB after load. Source: {mg['source']}.")
        L.append("")
        # notes drawn from the numbers above
        L.append("### Notes")
        L.append("")
        try:
            dev = os.stat(self.work).st_dev
            ra = Path(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}/../queue/read_ahead_kb")
            ra = ra.read_text().strip() if ra.exists() else Path("/sys/block/vda/queue/read_ahead_kb").read_text().strip()
        except OSError:
            ra = "?"
        op = S["open"]
        L.append(f"- Disk-cold opens read {min(e['lexel_cold']['open_read_mb'] for e in op.values()):.1f}-"
                 f"{max(e['lexel_cold']['open_read_mb'] for e in op.values()):.1f} MB to touch a few header pages: "
                 f"page faults on a mapping read around the faulting page, and this machine's disk has read_ahead_kb = "
                 f"{ra}. The benchmark cannot advise the mapping before `VectorFile(path:)` reads it; after open, "
                 "`madvise(MADV_RANDOM)` cuts what a disk-cold lookup reads (the +RANDOM column).")
        lk = S["lookups"]
        for n in ("words-sgsub-f32", "ft-f32"):
            if n in lk:
                e = lk[n]["lexel"]
                L.append(f"- {n}: an OOV word touches ~{e['warm_oov']['minor_faults_p50']:.0f} new pages (n-gram rows, and the "
                         f"bucket search where buckets are sparse), so a fresh mapping costs {e['warm_oov']['p50_us']:.0f} us against "
                         f"{e['proc_oov']['p50_us']:.1f} us in an open file and {e['hot_oov']['p50_us']:.1f} us repeated.")
        sr = S["search"]
        if "words-sg-int8" in sr and "words-sg-f32" in sr:
            L.append(f"- Exact search over int8 / f16 rows is slower than over f32 ({sr['words-sg-int8']['lexel_exact_ms_p50']:.2f} / "
                     f"{sr['words-sg-f16']['lexel_exact_ms_p50']:.2f} ms vs {sr['words-sg-f32']['lexel_exact_ms_p50']:.2f} ms) "
                     "although it reads 4x / 2x fewer bytes: it is compute-bound (decode plus a per-row norm).")
        if "ft-f32" in op and op["ft-f32"].get("gensim_cold"):
            L.append(f"- gensim `FastTextKeyedVectors` loaded with mmap='r' still takes {op['ft-f32']['gensim_warm']['total_ms'] / 1e3:.1f} s "
                     f"and {op['ft-f32']['gensim_cold']['rss_open_mb']:.0f} MB RSS: its load recomputes every word vector "
                     "from the n-gram rows (`adjust_vectors` in gensim/models/fasttext.py).")
        L.append("")
        # targets
        L.append("### Acceptance targets (issue #3)")
        L.append("")
        L.append("| target | goal | measured | pass | margin |")
        L.append("|---|---|---|---|---|")
        for t in S["targets"]:
            L.append(f"| {t['target']} | {t['goal']} | {t['measured']} | {'yes' if t['pass'] else '**no**'} | {t['margin']} |")
        L.append("")
        L.append(f"Raw results: `{results_path.relative_to(ROOT)}` (every repeat, every process).")
        L.append("")
        replace_section(README, "\n".join(L), before="## Kernel micro-benchmarks")
        log("updated", README)

