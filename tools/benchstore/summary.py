"""Medians over repeats and the acceptance targets of issue #3 (class Summary, a mixin of Bench)."""
from benchstore import TARGETS
from benchstore.procs import median


class Summary:
    def summary(self):
        R = self.res
        S = {}
        mem = median([m["read_gbps"] for m in R["memory"]])
        S["memory_read_gbps"] = mem
        S["memory_triad_gbps"] = median([m["triad_gbps"] for m in R["memory"]])
        S["open"] = {}
        for name, rec in R["open"].items():
            e = {}
            for side in ("lexel_cold", "lexel_warm", "gensim_cold", "gensim_warm"):
                xs = rec[side]
                if not xs:
                    continue
                e[side] = {"open_ms": median([x["open_ms"] for x in xs]),
                           "first_lookup_ms": median([x["first_lookup_ms"] for x in xs]),
                           "total_ms": median([x["total_ms"] for x in xs]),
                           "rss_before_mb": median([x["rss_before_kb"] for x in xs]) / 1024,
                           "rss_open_mb": median([x["rss_open_kb"] for x in xs]) / 1024,
                           "rss_lookup_mb": median([x["rss_lookup_kb"] for x in xs]) / 1024,
                           "open_read_mb": median([x.get("open_read_bytes") for x in xs] or [None]),
                           "peak_rss_mb": median([x["child_peak_rss_kb"] for x in xs]) / 1024}
                if e[side]["open_read_mb"] is not None:
                    e[side]["open_read_mb"] /= 1e6
            S["open"][name] = e
        S["load_text"] = {n: {"load_s": median([x["load_s"] for x in r["gensim"]]),
                              "first_lookup_ms": median([x["first_lookup_ms"] for x in r["gensim"]]),
                              "peak_rss_mb": median([x["child_peak_rss_kb"] for x in r["gensim"]]) / 1024}
                          for n, r in R["load_text"].items()}
        S["lookups"] = {}
        kinds = ("warm_inv", "warm_oov", "cold_inv", "cold_oov", "proc_inv", "proc_oov", "hot_inv", "hot_oov",
                 "cold_random_inv", "cold_random_oov")
        for name, rec in R["lookups"].items():
            e = {}
            for side in ("lexel", "gensim"):
                xs = rec[side]
                if not xs:
                    continue
                e[side] = {k: {q: median([x[k].get(q) for x in xs])
                               for q in ("p50_us", "p90_us", "p99_us", "minor_faults_p50", "major_faults_p50",
                                         "read_kb_p50", "open_us_p50")}
                           for k in kinds if k in xs[0]}
                if side == "gensim":
                    e[side]["oov_behaviour"] = xs[0]["oov_behaviour"]
                else:
                    e[side]["subwords"] = xs[0]["subwords"]
                    e[side]["count"] = xs[0]["count"]
            S["lookups"][name] = e
        S["search"] = {}
        for name, rec in R["search"].items():
            lx = rec["lexel"]
            e = {"count": lx[0]["count"], "dim": lx[0]["dim"], "dtype": lx[0]["dtype"],
                 "lexel_exact_ms_p50": median([x["exact_ms_p50"] for x in lx]),
                 "lexel_batched_ms": median([x["batched_ms_per_query"] for x in lx]),
                 "lexel_scan_gbps": median([x["scan_gbps_p50"] for x in lx]),
                 "lexel_scan_gbps_batched": median([x["scan_gbps_batched"] for x in lx]),
                 "batched_agrees": lx[0]["batched_agrees"], "queries": lx[0]["queries"],
                 "lexel_peak_rss_mb": median([x["child_peak_rss_kb"] for x in lx]) / 1024}
            e["fraction_of_memory"] = e["lexel_scan_gbps"] / mem
            if lx[0].get("ann"):
                e["ann"] = [{"ef": a["ef"], "ms_p50": median([x["ann"][i]["ms_p50"] for x in lx]),
                             "recall": median([x["ann"][i]["recall_at_k"] for x in lx]),
                             "speedup": median([x["ann"][i]["speedup_vs_exact"] for x in lx])}
                            for i, a in enumerate(lx[0]["ann"])]
            if rec["gensim"]:
                g = rec["gensim"]
                e["gensim_ms_p50"] = median([x["ms_p50"] for x in g])
                e["gensim_batched_ms"] = median([x["batched_ms_per_query"] for x in g])
                e["gensim_first_most_similar_s"] = median([x["first_most_similar_s"] for x in g])
                e["gensim_overlap"] = median([x["overlap_with_lexel_exact"] for x in g])
                e["gensim_peak_rss_mb"] = median([x["child_peak_rss_kb"] for x in g]) / 1024
            S["search"][name] = e
        S["cli"] = {n: {"wall_s": median([x["wall_s"] for x in r]), "queries": r[0]["queries"],
                        "peak_rss_mb": median([x["peak_rss_kb"] for x in r]) / 1024, "cmd": r[0]["cmd"]}
                    for n, r in R.get("cli", {}).items()}
        S["targets"] = self.targets(S)
        return S

    def targets(self, S):
        R = self.res
        T = []

        def add(name, target, measured, ok, margin, note=""):
            T.append({"target": name, "goal": target, "measured": measured, "pass": bool(ok), "margin": margin, "note": note})
        # open -> first lookup (every file, disk-cold and warm)
        worst_cold = max((e["lexel_cold"]["total_ms"], n) for n, e in S["open"].items())
        worst_warm = max((e["lexel_warm"]["total_ms"], n) for n, e in S["open"].items())
        g = TARGETS["open_first_lookup_ms"]
        add("open -> first lookup, disk-cold, worst file", f"<= {g} ms", f"{worst_cold[0]:.2f} ms ({worst_cold[1]})",
            worst_cold[0] <= g, f"{g / worst_cold[0]:.1f}x headroom" if worst_cold[0] <= g else f"{worst_cold[0] / g:.1f}x over")
        add("open -> first lookup, page cache warm, worst file", f"<= {g} ms", f"{worst_warm[0]:.2f} ms ({worst_warm[1]})",
            worst_warm[0] <= g, f"{g / worst_warm[0]:.1f}x headroom" if worst_warm[0] <= g else f"{worst_warm[0] / g:.1f}x over")
        rss = max((e["lexel_cold"]["rss_open_mb"], n, e["lexel_cold"]["rss_before_mb"]) for n, e in S["open"].items())
        g = TARGETS["rss_after_open_mb"]
        add("RSS right after open (whole process), worst file", f"<= {g} MB", f"{rss[0]:.1f} MB ({rss[1]}; {rss[2]:.1f} MB before open)",
            rss[0] <= g, f"{g - rss[0]:+.1f} MB")
        lk = S["lookups"]

        def oov_rows(name, goal, label):
            e = lk[name]["lexel"]
            for kind, what in (("proc_oov", "first lookup of the word in an open file"),
                               ("warm_oov", "fresh VectorFile per word (process-cold, page cache warm)"),
                               ("cold_oov", "disk-cold (file evicted before each open)"),
                               ("cold_random_oov", "disk-cold + madvise(MADV_RANDOM) after open (benchmark-side)")):
                v = e[kind]["p50_us"]
                add(f"{label}: {what}", f"<= {goal:.0f} us", f"{v:.1f} us" if v < 100 else f"{v:,.0f} us", v <= goal,
                    f"{goal / v:.1f}x headroom" if v <= goal else f"{v / goal:.1f}x over")
        if "words-sg-f32" in lk:
            oov_rows("words-sg-f32", TARGETS["oov_p50_us_no_subwords"],
                     f"OOV p50, {lk['words-sg-f32']['lexel']['count']:,}-word file, no subwords")
        for name in ("words-sgsub-f32", "ft-f32"):
            if name in lk:
                oov_rows(name, TARGETS["oov_p50_us_subwords"], f"OOV p50 with subwords, {name}")
        f = R["files"]["words-sg"]
        ratio = f["lxv_int8"] / f["lxv_f32"]
        d = R["ws353"]["words-sg-int8"]["spearman_in_vocab"] - R["ws353"]["words-sg-f32"]["spearman_in_vocab"]
        add("int8 file size vs f32 (words-sg)", f"<= {TARGETS['int8_size_ratio']}x", f"{ratio:.3f}x",
            ratio <= TARGETS["int8_size_ratio"], f"{TARGETS['int8_size_ratio'] - ratio:+.3f}")
        add("int8 WS353 vs f32 (words-sg)", f"abs(delta) <= {TARGETS['int8_ws353_delta']}", f"{d:+.4f}",
            abs(d) <= TARGETS["int8_ws353_delta"], f"{TARGETS['int8_ws353_delta'] - abs(d):.4f} to spare")
        syn = [n for n in S["search"] if n.startswith("synth-") and S["search"][n]["count"] >= 1000000]
        if syn:
            e = S["search"][syn[0]]
            fr = e["fraction_of_memory"]
            add(f"exact top-10 over {e['count']:,} x {e['dim']} f32, 2 threads: scan bandwidth / memory read bandwidth",
                f">= {TARGETS['scan_bandwidth_fraction']:.0%}",
                f"{fr:.0%} ({e['lexel_scan_gbps']:.1f} of {S['memory_read_gbps']:.1f} GB/s; batched {e['lexel_scan_gbps_batched']:.1f} GB/s)",
                fr >= TARGETS["scan_bandwidth_fraction"], f"{(fr - TARGETS['scan_bandwidth_fraction']) * 100:+.0f} points")
        for n, e in S["search"].items():
            if "ann" not in e:
                continue
            ok = [a for a in e["ann"] if a["recall"] >= TARGETS["hnsw_recall"] and a["speedup"] >= TARGETS["hnsw_speedup"]]
            best = max(e["ann"], key=lambda a: (a["recall"] >= TARGETS["hnsw_recall"], a["speedup"]))
            pick = ok[0] if ok else best
            add(f"HNSW recall@10 and speed vs exact ({n}, {e['count']:,} rows)",
                f"recall >= {TARGETS['hnsw_recall']} at >= {TARGETS['hnsw_speedup']:.0f}x",
                f"ef {pick['ef']}: recall {pick['recall']:.3f}, {pick['speedup']:.1f}x", bool(ok),
                "; ".join(f"ef {a['ef']}: {a['recall']:.3f} / {a['speedup']:.0f}x" for a in e["ann"]))
        return T

