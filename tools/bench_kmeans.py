#!/usr/bin/env python3
"""k-means side by side with faiss-cpu and scikit-learn in one run (issue #12). Writes out/bench-kmeans/*.json and
prints Markdown tables for Benchmarks/README.md.

  speed    spherical k-means, k = 1,000, 20 iterations, the same initial centroids (1,000 rows drawn with a seed),
           on 1,000,000 x 192 float32: the lexical-dense embeddings of the 183,000 paragraphs of
           ../shared/data/corpus (`lexel embed`, the shipped model), each repeated with Gaussian noise
           (sigma 0.02 per coordinate, then scaled to unit length; copy 0 is the original) up to 1M rows. faiss.Kmeans
           (spherical=True, max_points_per_centroid large enough to use every point) and Lexel on --threads
           threads; scikit-learn KMeans (lloyd, n_init 1, tol 0, same init, Euclidean on the unit rows: it has no
           spherical mode) limited to the same threads by threadpoolctl. Wall times of training, and of training
           plus assigning every point (faiss: index.search; Lexel: its final pass, which `lexel cluster` always
           makes); objective = sum of cosines at iteration 20's assignment (faiss's convention).
  quality  NMI / ARI / v-measure against the paragraphs' sources (26), k = 26, k-means++ and one init per seed,
           3 seeds: Lexel (`lexel cluster --labels`) and scikit-learn KMeans on the same vectors: the lexical
           embeddings of all 183,000 paragraphs, and the MiniLM teacher vectors of the first 52,000
           (../shared/data/teacher/minilm-train.f16.npy).
  scale    streaming mode: 5,000,000 x 192 float32 (.npy, 3.84 GB, the 1M set repeated with fresh noise) clustered with
           `--streaming`, k = 1,000, 3 iterations, peak RSS (GNU time) and seconds per pass; the pass's bytes per
           second beside the machine's memory bandwidth (numpy copy of 1 GB, best of 3).
  dedup    `lexel dedup` on the corpus of tools/make_dedup_corpus.py (paragraphs with injected near-duplicates of known
           groups) at several eps: precision and recall of the removals (a removal is right while its group still has
           another member; per group at most size - 1 are right), and documents per second end to end from text.
Run: tools/.venv/bin/python tools/bench_kmeans.py speed|quality|scale|dedup [--threads 2]"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexel_tools as lt  # noqa: E402

ROOT = lt.ROOT
CORPUS = os.path.join(lt.DATA, "corpus", "paragraphs-en.jsonl.zst")
TEACHER = os.path.join(lt.DATA, "teacher", "minilm-train.f16.npy")


def lexel_bin(args):
    return args.lexel


def paragraph_vectors(args):
    """(183000 x 192 float32 embeddings in corpus order, their sources)."""
    import numpy as np
    path = os.path.join(args.work, "paragraphs.npy")
    if not os.path.exists(path):
        subprocess.run([args.lexel, "embed", CORPUS, "--output", path, "--quiet", "--threads", str(args.threads)], check=True)
    sources = [json.loads(line)["source"] for line in lt.read_lines(CORPUS)]
    return np.load(path, mmap_mode="r"), sources


def million(args, rows=1_000_000, seed=0, name="million.npy"):
    """The 1M x 192 set (see the docstring), written once."""
    import numpy as np
    path = os.path.join(args.work, name)
    if os.path.exists(path):
        return path
    base, _ = paragraph_vectors(args)
    base = np.asarray(base, dtype=np.float32)
    rng = np.random.default_rng(seed)
    out = np.lib.format.open_memmap(path + ".tmp.npy", mode="w+", dtype=np.float32, shape=(rows, base.shape[1]))
    for start in range(0, rows, base.shape[0]):
        n = min(base.shape[0], rows - start)
        block = base[:n].copy()
        if start > 0 or seed > 0:
            block += rng.normal(0, 0.02, size=block.shape).astype(np.float32)
            block /= np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
        out[start:start + n] = block
    out.flush()
    del out
    os.replace(path + ".tmp.npy", path)
    return path


def run_lexel(args, argv):
    t0 = time.perf_counter()
    p = subprocess.run([args.lexel, "cluster"] + argv + ["--threads", str(args.threads), "--quiet"],
                       check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    out = argv[argv.index("--output") + 1]
    with open(os.path.join(out, "metrics.json")) as f:
        return wall, json.load(f), p.stdout


def speed(args):
    import numpy as np
    import faiss
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits
    path = million(args)
    x = np.load(path)
    n, d = x.shape
    k, niter = 1000, 20
    init = x[np.random.default_rng(1).choice(n, k, replace=False)].copy()
    init_path = os.path.join(args.work, "init1000.npy")
    np.save(init_path, init)
    res = {"machine": lt.machine_info(), "threads": args.threads, "n": n, "d": d, "k": k, "niter": niter}
    # Lexel, both precisions of the assignment step
    for precision in ("f32", "int8"):
        out = os.path.join(args.work, f"lexel-speed-{precision}")
        wall, m, _ = run_lexel(args, [path, "-k", str(k), "--niter", str(niter), "--init", init_path, "--output", out,
                                      "--silhouette", "0", "--precision", precision])
        train = sum(it["seconds"] for it in m["log"])
        res[f"lexel-{precision}"] = {"wall": wall, "train": train, "kmeans": m["seconds"],
                                     "objective": m["log"][-1]["objective"], "iterations": len(m["log"])}
        lt.log("lexel", precision, res[f"lexel-{precision}"])
    # faiss
    faiss.omp_set_num_threads(args.threads)
    km = faiss.Kmeans(d, k, niter=niter, spherical=True, max_points_per_centroid=n // k + 1, seed=1, verbose=False)
    t0 = time.perf_counter()
    km.train(x, init_centroids=init)
    ft = time.perf_counter() - t0
    t1 = time.perf_counter()
    _, assign = km.index.search(x, 1)
    fs = time.perf_counter() - t1
    res["faiss"] = {"train": ft, "train_and_assign": ft + fs, "objective": float(km.obj[-1]), "version": faiss.__version__}
    lt.log("faiss", res["faiss"])
    # scikit-learn
    import sklearn
    with threadpool_limits(limits=args.threads):
        t0 = time.perf_counter()
        sk = KMeans(n_clusters=k, init=init, n_init=1, max_iter=niter, tol=0, algorithm="lloyd").fit(x)
        st = time.perf_counter() - t0
    res["sklearn"] = {"train_and_assign": st, "inertia": float(sk.inertia_), "iterations": int(sk.n_iter_),
                      "version": sklearn.__version__}
    lt.log("sklearn", res["sklearn"])
    lt.write_json(os.path.join(args.work, "speed.json"), res)
    F, S = res["faiss"], res["sklearn"]
    print("Lexel: `train` = its 20 iterations; `train + assign` = k-means from the mapped file to the final assignment of "
          "every point (`seconds` of metrics.json); `command` = the whole `lexel cluster` run, writing the outputs.\n")
    print("| system | train s | train + assign s | command s | objective (sum of cosines) | gap to faiss |\n|---|---:|---:|---:|---:|---:|")
    for p in ("f32", "int8"):
        L = res[f"lexel-{p}"]
        print(f"| Lexel --precision {p} | {L['train']:.1f} | {L['kmeans']:.1f} | {L['wall']:.1f} | {L['objective']:.1f} | "
              f"{(L['objective'] - F['objective']) / F['objective'] * 100:+.4f}% |")
    print(f"| faiss {F['version']} | {F['train']:.1f} | {F['train_and_assign']:.1f} | | {F['objective']:.1f} | |")
    print(f"| scikit-learn {S['version']} (Euclidean) | | {S['train_and_assign']:.1f} | | (inertia {S['inertia']:.1f}) | |")
    for p in ("f32", "int8"):
        L = res[f"lexel-{p}"]
        print(f"\n{p}: faiss / Lexel train {F['train'] / L['train']:.2f}x, train + assign {F['train_and_assign'] / L['kmeans']:.2f}x; "
              f"scikit-learn / Lexel train + assign {S['train_and_assign'] / L['kmeans']:.2f}x")


def quality(args):
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn import metrics
    from threadpoolctl import threadpool_limits
    vectors, sources = paragraph_vectors(args)
    sets = [("lexical (183,000 paragraphs)", os.path.join(args.work, "paragraphs.npy"), sources)]
    if os.path.exists(TEACHER):
        sets.append(("MiniLM teacher (first 52,000)", TEACHER, sources[:52000]))
    rows = []
    for name, path, labels in sets:
        label_path = os.path.join(args.work, f"labels-{len(labels)}.txt")
        lt.write_text(label_path, "".join(s + "\n" for s in labels))
        x = np.asarray(np.load(path), dtype=np.float32)
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        for seed in (1, 2, 3):
            lexel = {}
            for metric in ("cosine", "euclidean"):
                out = os.path.join(args.work, f"quality-{len(labels)}-{seed}-{metric}")
                wall, m, _ = run_lexel(args, [path, "-k", "26", "--seed", str(seed), "--labels", label_path, "--output", out,
                                              "--metric", metric])
                lexel[metric] = {k: m[k] for k in ("nmi", "ari", "v_measure")} | {"seconds": wall}
            with threadpool_limits(limits=args.threads):
                t0 = time.perf_counter()
                sk = KMeans(n_clusters=26, init="k-means++", n_init=1, random_state=seed, algorithm="lloyd").fit(x)
                st = time.perf_counter() - t0
            rows.append({"set": name, "seed": seed, "lexel": lexel["cosine"], "lexel_euclidean": lexel["euclidean"],
                         "sklearn": {"nmi": metrics.normalized_mutual_info_score(labels, sk.labels_),
                                     "ari": metrics.adjusted_rand_score(labels, sk.labels_),
                                     "v_measure": metrics.v_measure_score(labels, sk.labels_), "seconds": st}})
            lt.log(rows[-1])
    lt.write_json(os.path.join(args.work, "quality.json"), {"machine": lt.machine_info(), "rows": rows})
    print("Lexel cosine = spherical k-means (the default); Lexel Euclidean = the same objective as scikit-learn's.\n")
    print("| vectors | seed | Lexel cosine NMI / ARI / v | Lexel Euclidean NMI / ARI / v | scikit-learn NMI / ARI / v | Lexel s | sklearn s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        L, E, S = r["lexel"], r["lexel_euclidean"], r["sklearn"]
        f = lambda d: f"{d['nmi']:.4f} / {d['ari']:.4f} / {d['v_measure']:.4f}"
        print(f"| {r['set']} | {r['seed']} | {f(L)} | {f(E)} | {f(S)} | {L['seconds']:.1f} | {S['seconds']:.1f} |")
    for name, _, _ in sets:
        sel = [r for r in rows if r["set"] == name]
        ln = sum(r["lexel"]["nmi"] for r in sel) / len(sel)
        en = sum(r["lexel_euclidean"]["nmi"] for r in sel) / len(sel)
        sn = sum(r["sklearn"]["nmi"] for r in sel) / len(sel)
        print(f"\n{name}: mean NMI Lexel cosine {ln:.4f} ({ln - sn:+.4f}), Lexel Euclidean {en:.4f} ({en - sn:+.4f}), "
              f"scikit-learn {sn:.4f}")


def scale(args):
    import numpy as np
    path = os.path.join(args.work, "five-million.npy")
    if not os.path.exists(path):
        src = np.load(million(args), mmap_mode="r")
        rng = np.random.default_rng(5)
        out = np.lib.format.open_memmap(path + ".tmp.npy", mode="w+", dtype=np.float32, shape=(5 * src.shape[0], src.shape[1]))
        for c in range(5):
            for s in range(0, src.shape[0], 100_000):
                b = np.array(src[s:s + 100_000])
                if c:
                    b += rng.normal(0, 0.01, size=b.shape).astype(np.float32)
                    b /= np.linalg.norm(b, axis=1, keepdims=True)
                out[c * src.shape[0] + s:c * src.shape[0] + s + len(b)] = b
        out.flush()
        del out
        os.replace(path + ".tmp.npy", path)
    size = os.path.getsize(path)
    init = os.path.join(args.work, "init1000.npy")
    out = os.path.join(args.work, "lexel-scale")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", args.lexel, "cluster", path, "-k", "1000", "--niter", "3", "--init", init,
                        "--output", out, "--streaming", "--silhouette", "0", "--threads", str(args.threads), "--quiet"],
                       check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    rss = next(int(line.split()[-1]) for line in p.stderr.splitlines() if "Maximum resident set size" in line)
    with open(os.path.join(out, "metrics.json")) as f:
        m = json.load(f)
    per_pass = sum(it["seconds"] for it in m["log"]) / len(m["log"])
    buf = np.ones(1 << 28, dtype=np.float32)  # 1 GiB
    dst = np.empty_like(buf)
    bw = 0
    for _ in range(3):
        t1 = time.perf_counter()
        np.copyto(dst, buf)
        bw = max(bw, 2 * buf.nbytes / (time.perf_counter() - t1))  # read + write
    # the same file with k = 16: the pass is then bound by reading the file, not by the products
    out16 = os.path.join(args.work, "lexel-scale-16")
    subprocess.run([args.lexel, "cluster", path, "-k", "16", "--niter", "3", "--output", out16, "--streaming",
                    "--silhouette", "0", "--threads", str(args.threads), "--quiet"], check=True, capture_output=True)
    with open(os.path.join(out16, "metrics.json")) as f:
        m16 = json.load(f)
    per16 = sum(it["seconds"] for it in m16["log"]) / len(m16["log"])
    res = {"machine": lt.machine_info(), "rows": m["points"], "bytes": size, "peak_rss_mb": rss / 1024, "wall": wall,
           "seconds_per_pass": per_pass, "pass_gb_per_s": size / per_pass / 1e9, "memory_gb_per_s": bw / 1e9,
           "k16_seconds_per_pass": per16, "k16_pass_gb_per_s": size / per16 / 1e9}
    lt.write_json(os.path.join(args.work, "scale.json"), res)
    print(json.dumps(res, indent=1))
    print(f"\n5M x 192 streaming, k = 1000: peak RSS {rss / 1024:.0f} MB; {per_pass:.1f} s per pass = {size / per_pass / 1e9:.2f} GB/s "
          f"against {bw / 1e9:.1f} GB/s memory bandwidth (numpy copy) = {size / per_pass / bw * 100:.0f}% (bound by the products)")
    print(f"k = 16: {per16:.2f} s per pass = {size / per16 / 1e9:.2f} GB/s = {size / per16 / bw * 100:.0f}% of the bandwidth")


def dedup(args):
    corpus = os.path.join(ROOT, "out", "dedup", "corpus.jsonl")
    if not os.path.exists(corpus):
        subprocess.run([sys.executable, os.path.join(lt.TOOLS, "make_dedup_corpus.py")], check=True)
    rows = [json.loads(line) for line in open(corpus, encoding="utf-8")]
    group = {r["id"]: r["group"] for r in rows}
    sizes = {}
    for r in rows:
        sizes[r["group"]] = sizes.get(r["group"], 0) + 1
    wanted = sum(s - 1 for s in sizes.values())
    members = {}
    for r in rows:
        members.setdefault(r["group"], []).append(r["id"])
    eps = [0.02, 0.05, 0.1, 0.15, 0.2]
    out = os.path.join(args.work, "dedup")
    t0 = time.perf_counter()
    p = subprocess.run([args.lexel, "dedup", corpus, "--eps", ",".join(map(str, eps)), "--output", out,
                        "--threads", str(args.threads), "--quiet"], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    table = []
    for e in eps:
        tag = str(e)
        removed = [line.strip() for line in open(os.path.join(out, f"duplicates-eps{tag}.txt"))]
        per = {}
        for i in removed:
            per[group[i]] = per.get(group[i], 0) + 1
        right = sum(min(c, sizes[g] - 1) for g, c in per.items())
        # per kind of edit: a copy counts as caught when it or another member of its group was removed
        gone = set(removed)
        kinds = {}
        for r in rows:
            if r["edit"] != "original":
                caught = any(m in gone for m in members[r["group"]])
                k = kinds.setdefault(r["edit"], [0, 0])
                k[0] += caught
                k[1] += 1
        table.append({"eps": e, "removed": len(removed), "right": right,
                      "precision": right / max(1, len(removed)), "recall": right / max(1, wanted),
                      "caught_by_edit": {k: v[0] / v[1] for k, v in sorted(kinds.items())}})
    res = {"machine": lt.machine_info(), "documents": len(rows), "duplicates": wanted, "wall": wall,
           "docs_per_s": len(rows) / wall, "rows": table, "stdout": p.stdout}
    lt.write_json(os.path.join(args.work, "dedup.json"), res)
    print(f"{len(rows)} documents, {wanted} injected duplicates; end to end {wall:.1f} s = {len(rows) / wall:.0f} docs/s "
          f"({args.threads} threads, embedding included)\n")
    kinds = sorted(table[0]["caught_by_edit"])
    print("| eps | removed | precision | recall | " + " | ".join(f"{k} caught" for k in kinds) + " |")
    print("|---:|---:|---:|---:|" + "---:|" * len(kinds))
    for r in table:
        print(f"| {r['eps']} | {r['removed']} | {r['precision']:.3f} | {r['recall']:.3f} | "
              + " | ".join(f"{r['caught_by_edit'][k]:.3f}" for k in kinds) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["speed", "quality", "scale", "dedup"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lexel", default=os.path.join(ROOT, ".build", "release", "lexel"))
    ap.add_argument("--work", default=os.path.join(ROOT, "out", "bench-kmeans"))
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    {"speed": speed, "quality": quality, "scale": scale, "dedup": dedup}[args.what](args)


if __name__ == "__main__":
    main()
