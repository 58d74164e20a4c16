"""Quality of Lexel's lexical-dense document embeddings (issue #4), beside three reference systems.

Systems (every vector is L2-normalised before use; similarity = cosine):
  lexel        `lexel embed --model M --field text --threads T --quiet --output X.npy IN.jsonl` (the model under test;
               re-embedded on every run, it takes seconds).
  tfidf        scikit-learn TfidfVectorizer: word unigrams (its default token pattern, tokens of 2+ word characters),
               lower-case, sublinear tf, L2 norm. Two fits are reported:
                 corpus IDF  vocabulary + IDF fitted once on all 183,000 paragraphs of corpus/paragraphs-en.jsonl.zst
                             (the corpus the lexical model's n-grams and IDF come from; words absent from it are dropped);
                 task IDF    fitted on each task's own documents: the 2,000 held-out paragraphs, the news bodies, the
                             classification training texts (never the test texts).
               Classification uses the sparse TF-IDF vectors directly.
  meanvec      mean of Lexel word vectors: `lexel skipgram -input corpus/words-en.txt.zst -output P -dim 100 -epoch 5
               -minCount 5 -thread 2` (fastText subwords, minn 3 maxn 6), trained once and cached; a text is
               lower-cased, cut into `[a-z]+` tokens (as the word corpus was made), each token's vector is taken from
               `lexel print-word-vectors P.bin` (subword vectors for unknown words) and the token vectors are averaged
               (every occurrence counts), then L2-normalised. Note: the word corpus contains the news bodies (see the
               data README), so these vectors saw the retrieval documents (unsupervised).
  teacher      all-MiniLM-L6-v2 via tools/teacher.py (fp32 output), cached; on the held-out paragraphs the shipped
               teacher/minilm-train.f16.npy rows are used (same recipe; so the teacher's held-out scores are 1 by
               definition).

Tasks:
  held-out     paragraphs with ids 50,000..51,999 of corpus/paragraphs-en.jsonl.zst (rows 50,000..51,999 of
               teacher/minilm-train.f16.npy), never used to train the lexical model. Spearman correlation between the
               system's and the teacher's cosines over all 1,999,000 pairs (upper triangle); recall@10 = mean over the
               2,000 queries of |system top-10 ∩ teacher top-10| / 10, the query itself excluded.
  news         eval/news-retrieval.jsonl, 3,729 articles: titles are queries, bodies the documents; a hit is any
               article whose body is identical to the query article's body. recall@k = share of queries with a hit in
               the top k. Ties are counted against the system (rank = number of non-relevant documents scoring >= the
               best relevant document).
  paragraph-source   eval/paragraph-source (26 sources), restricted to the paragraphs with ids < 52,000 (those whose
               teacher vectors ship in teacher/minilm-train.f16.npy, so the teacher's row costs nothing): the first
               SOURCE_TRAIN of its training lines in file order, and all of its test lines; same head as below.
  trec-6, polarity   fastText-format train/test; logistic regression (lbfgs, max_iter 10,000) on the vectors as
               they are, C chosen by 5-fold stratified CV accuracy on train (seeded shuffle) from --c-grid, refit on
               all train, test accuracy. Same protocol for every system. Diagnostic only (results.json and the notes,
               not the table): the same head behind a StandardScaler, for the dense systems.

Diagnostics printed under the table: the mean pairwise cosine on the held-out paragraphs (how spread out the vectors
are), the chosen C values (and whether one sits at the edge of the grid), refit heads that did not converge.

Throughput (a side note only): documents/s embedding the news bodies, wall clock including model loading, measured when
that system's vectors were computed (cached systems keep the timing of their first run).

Caches (out/eval-lexical/, git-ignored): the texts as JSONL, the teacher's and mean-word vectors per text set (keyed
by a hash of the texts), the skip-gram model, the corpus TF-IDF fit. Lexel's vectors are never cached.

Run (tools/.venv, made by tools/peers/setup_venv.sh + setup_teacher.sh; needs scikit-learn, scipy, torch):
  nice -n 10 tools/.venv/bin/python tools/eval_lexical.py [--model M.lxm] [--lexel .build/release/lexel]
Writes out/eval-lexical/results.json (or --json PATH) and prints a markdown table.
"""
import argparse
import json
import os
import sys
import time
import warnings

THREADS_DEFAULT = 2
# One BLAS thread per process: the cross-validation runs --threads folds in parallel instead (tools/teacher.py and
# lexel take their thread counts from the command line).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

from lexel_tools import DATA, ROOT, log, read_jsonl, write_json  # noqa: E402

TEACHER_TRAIN = os.path.join(DATA, "teacher", "minilm-train.f16.npy")
EVAL = os.path.join(DATA, "eval")
DEFAULT_MODEL = os.path.join(ROOT, "vocab", "lexel-minilm-distilled.lxm")
HELDOUT_START, HELDOUT_COUNT = 50_000, 2_000
SEED = 20261122
SOURCE_IDS_BELOW, SOURCE_TRAIN = 52_000, 10_000


def parse_args():
    ap = argparse.ArgumentParser(description="Lexel lexical-dense embedding quality vs TF-IDF, mean word vectors "
                                             "and the all-MiniLM-L6-v2 teacher (issue #4)")
    ap.add_argument("--model", default=DEFAULT_MODEL,
                    help=f"Lexel lexical model (default {os.path.relpath(DEFAULT_MODEL, ROOT)}, the shipped one)")
    ap.add_argument("--lexel", default=os.path.join(ROOT, ".build", "release", "lexel"), help="lexel binary")
    ap.add_argument("--threads", type=int, default=THREADS_DEFAULT)
    ap.add_argument("--work-dir", default=os.path.join(ROOT, "out", "eval-lexical"))
    ap.add_argument("--python", default=sys.executable, help="python that runs tools/teacher.py (needs torch)")
    ap.add_argument("--c-grid", default="0.1,1,10,100,1000,10000", help="logistic-regression C values for the CV")
    ap.add_argument("--json", default=None, help="results file (default WORK_DIR/results.json)")
    ap.add_argument("--quick", action="store_true",
                    help="Lexel only, one JSON line of its metrics (no baselines, no diagnostics): for comparing models")
    return ap.parse_args()


ARGS = parse_args()


from eval_lexical_systems import (PARAGRAPHS, Lexel, MeanWordVectors, Teacher, TextSet, TfidfCorpus,  # noqa: E402
                                  file_sha256, normalise, read_fasttext, tfidf_task)


# ---------------------------------------------------------------- metrics


def dense_cos(a, b):
    if hasattr(a, "toarray"):
        return np.asarray((a @ b.T).toarray(), dtype=np.float32)
    return a @ b.T


def top_k_sets(sim, k):
    sim = sim.copy()
    np.fill_diagonal(sim, -np.inf)
    idx = np.argpartition(-sim, k, axis=1)[:, :k]
    return idx


def heldout_metrics(vectors, teacher_cos, teacher_top):
    from scipy.stats import spearmanr
    sim = dense_cos(vectors, vectors)
    iu = np.triu_indices(sim.shape[0], 1)
    rho = float(spearmanr(sim[iu], teacher_cos[iu]).statistic)
    top = top_k_sets(sim, 10)
    overlap = [len(set(a) & set(b)) / 10 for a, b in zip(top, teacher_top)]
    # mean_cosine: a diagnostic of how spread out the vectors are (near 1 = all vectors nearly parallel).
    return {"spearman": rho, "recall@10": float(np.mean(overlap)), "mean_cosine": float(sim[iu].mean())}


def news_metrics(q, d, groups, ks=(1, 5, 10)):
    sim = dense_cos(q, d)
    n = sim.shape[0]
    ranks = np.empty(n, dtype=np.int64)
    for i in range(n):
        relevant = groups == groups[i]
        best = sim[i, relevant].max()
        ranks[i] = int(np.count_nonzero(sim[i, ~relevant] >= best))   # ties count against the system
    return {f"recall@{k}": float(np.mean(ranks < k)) for k in ks}


def classify(x_train, y_train, x_test, y_test, c_grid, standardise=False):
    """Test accuracy of a logistic-regression head, C by 5-fold CV on train. standardise=True (a diagnostic only, not
    the table's protocol) puts a StandardScaler fitted on the training fold in front of the head."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    head = LogisticRegression(solver="lbfgs", max_iter=10_000)
    estimator = make_pipeline(StandardScaler(), head) if standardise else head
    key = "logisticregression__C" if standardise else "C"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # checked below on the refit head (the CV folds run
        search = GridSearchCV(estimator, {key: c_grid}, scoring="accuracy",  # in worker processes)
                              cv=StratifiedKFold(5, shuffle=True, random_state=SEED), n_jobs=ARGS.threads)
        search.fit(x_train, y_train)
    fitted = search.best_estimator_
    accuracy = float(fitted.score(x_test, y_test))
    fitted_head = fitted[-1] if standardise else fitted
    c = float(search.best_params_[key])
    return {"accuracy": accuracy, "C": c, "cv_accuracy": float(search.best_score_),
            "C_at_grid_edge": c in (min(c_grid), max(c_grid)),
            "refit_iterations": int(np.max(fitted_head.n_iter_)),
            "refit_converged": bool(np.max(fitted_head.n_iter_) < head.max_iter)}


def paragraph_source():
    """The paragraph-source task on the paragraphs with teacher rows (ids < SOURCE_IDS_BELOW): (labels, texts) per
    split, and the paragraph ids of each split's rows."""
    from lexel_tools import open_text, read_lines
    folder = os.path.join(EVAL, "paragraph-source")
    with open_text(os.path.join(folder, "ids.json.zst")) as f:
        ids = json.load(f)
    task, kept = {}, {}
    for split in ("train", "test"):
        labels, texts, rows = [], [], []
        for pid, line in zip(ids[split], read_lines(os.path.join(folder, f"{split}.txt.zst"))):
            if pid >= SOURCE_IDS_BELOW or (split == "train" and len(rows) >= SOURCE_TRAIN):
                continue
            label, _, text = line.rstrip("\n").partition(" ")
            labels.append(label[len("__label__"):])
            texts.append(text)
            rows.append(pid)
        task[split], kept[split] = (labels, texts), np.array(rows)
    return task, kept


# ---------------------------------------------------------------- main


def main():
    t_start = time.perf_counter()
    work = os.path.abspath(ARGS.work_dir)
    os.makedirs(work, exist_ok=True)
    c_grid = [float(c) for c in ARGS.c_grid.split(",")]

    model = os.path.abspath(ARGS.model)
    lexel_bin = os.path.abspath(ARGS.lexel)
    for path, what in ((model, "model"), (lexel_bin, "lexel binary")):
        if not os.path.exists(path):
            sys.exit(f"{what} not found: {path}")

    # Data.
    log("reading data")
    held = list(read_jsonl(PARAGRAPHS, start=HELDOUT_START, limit=HELDOUT_COUNT))
    assert [r["id"] for r in held] == list(range(HELDOUT_START, HELDOUT_START + HELDOUT_COUNT))
    teacher_held = normalise(np.load(TEACHER_TRAIN, mmap_mode="r")[HELDOUT_START:HELDOUT_START + HELDOUT_COUNT])
    news = list(read_jsonl(os.path.join(EVAL, "news-retrieval.jsonl")))
    body_ids = {}
    groups = np.array([body_ids.setdefault(a["body"], len(body_ids)) for a in news])
    cls = {}
    for task, folder in (("trec-6", "trec-6"), ("polarity", "sentence-polarity")):
        cls[task] = {split: read_fasttext(os.path.join(EVAL, folder, f"{split}.txt")) for split in ("train", "test")}
    cls["paragraph-source"], source_ids = paragraph_source()

    sets = {"heldout": TextSet("heldout", [r["text"] for r in held], work),
            "news-titles": TextSet("news-titles", [a["title"] for a in news], work),
            "news-bodies": TextSet("news-bodies", [a["body"] for a in news], work)}
    for task in cls:
        for split in ("train", "test"):
            sets[f"{task}-{split}"] = TextSet(f"{task}-{split}", cls[task][split][1], work)

    # Reference: the teacher's held-out cosines and neighbours.
    teacher_cos = teacher_held @ teacher_held.T
    teacher_top = top_k_sets(teacher_cos, 10)

    lexel = Lexel(lexel_bin, model, ARGS.threads)
    if ARGS.quick:
        v = {name: lexel.embed(sets[name], work) for name in sets}
        quick = {"model": model, "heldout": heldout_metrics(v["heldout"], teacher_cos, teacher_top),
                 "news": news_metrics(v["news-titles"], v["news-bodies"], groups)}
        for task in cls:
            quick[task] = classify(v[f"{task}-train"], cls[task]["train"][0], v[f"{task}-test"], cls[task]["test"][0],
                                   c_grid)["accuracy"]
        print(json.dumps(quick))
        return
    teacher = Teacher(ARGS.python, ARGS.threads, work)
    meanvec = MeanWordVectors(lexel_bin, ARGS.threads, work)
    tfidf = TfidfCorpus(work)

    columns = ["lexel", "tfidf-corpus", "tfidf-task", "meanvec", "teacher"]
    results = {c: {} for c in columns}

    def vectors(system, name):
        if system is teacher and name == "heldout":
            return teacher_held
        if system is teacher and name.startswith("paragraph-source-"):
            return normalise(np.load(TEACHER_TRAIN, mmap_mode="r")[source_ids[name.rsplit("-", 1)[1]]])
        return system.embed(sets[name], work)

    for system in (lexel, tfidf, meanvec, teacher):
        log(f"== {system.name}")
        v = {name: vectors(system, name) for name in sets}
        r = results[system.name]
        r["heldout"] = heldout_metrics(v["heldout"], teacher_cos, teacher_top)
        r["news"] = news_metrics(v["news-titles"], v["news-bodies"], groups)
        for task in cls:
            r[task] = classify(v[f"{task}-train"], cls[task]["train"][0], v[f"{task}-test"], cls[task]["test"][0],
                               c_grid)
            if system is not tfidf:   # diagnostic for the dense systems: the same head on standardised features
                r[f"{task}-standardised"] = classify(v[f"{task}-train"], cls[task]["train"][0], v[f"{task}-test"],
                                                     cls[task]["test"][0], c_grid, standardise=True)
        log(f"   {json.dumps(r)}")

    log("== tfidf-task")
    r = results["tfidf-task"]
    (xh,) = tfidf_task(sets["heldout"].texts, sets["heldout"].texts)
    r["heldout"] = heldout_metrics(xh, teacher_cos, teacher_top)
    xq, xd = tfidf_task(sets["news-bodies"].texts, sets["news-titles"].texts, sets["news-bodies"].texts)
    r["news"] = news_metrics(xq, xd, groups)
    for task in cls:
        xtr, xte = tfidf_task(cls[task]["train"][1], cls[task]["train"][1], cls[task]["test"][1])
        r[task] = classify(xtr, cls[task]["train"][0], xte, cls[task]["test"][0], c_grid)
    log(f"   {json.dumps(r)}")

    # Table.
    rows = [("Held-out paragraphs (2,000): Spearman vs teacher cosines", "heldout", "spearman"),
            ("Held-out paragraphs: recall@10 of teacher neighbours", "heldout", "recall@10"),
            ("News title -> body (3,729): recall@1", "news", "recall@1"),
            ("News title -> body: recall@10", "news", "recall@10"),
            ("TREC-6 accuracy (537 test, LR)", "trec-6", "accuracy"),
            ("Sentence polarity accuracy (800 test, LR)", "polarity", "accuracy"),
            (f"Paragraph source accuracy (26 sources, {len(cls['paragraph-source']['test'][0]):,} test, LR)",
             "paragraph-source", "accuracy")]
    model_name = os.path.relpath(model, ROOT) if model.startswith(ROOT + os.sep) else model
    header = ["metric", f"Lexel (`{os.path.basename(model_name)}`)", "TF-IDF (corpus IDF)", "TF-IDF (task IDF)",
              "mean word vectors", "teacher (MiniLM-L6)", "Lexel / teacher"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    goals = []
    for label, task, metric in rows:
        vals = [results[c][task][metric] for c in columns]
        ratio = vals[0] / vals[-1] * 100 if vals[-1] else float("nan")
        lines.append("| " + " | ".join([label] + [f"{v:.3f}" for v in vals] + [f"{ratio:.1f}%"]) + " |")
        for c, v in zip(columns[1:4], vals[1:4]):
            goals.append({"metric": f"{task} {metric}", "baseline": c, "lexel": vals[0], "baseline_value": v,
                          "pass": vals[0] > v})
    table = "\n".join(lines)
    news_ratio = results["lexel"]["news"]["recall@10"] / results["teacher"]["news"]["recall@10"]
    goals.append({"metric": "news recall@10 >= 90% of teacher", "ratio": news_ratio, "pass": news_ratio >= 0.9})

    throughput = {}
    for system in (lexel, tfidf, meanvec, teacher):
        t = system.timing.get("news-bodies")
        if t:
            throughput[system.name] = dict(t, docs_per_s=t["docs"] / t["seconds"])
    elapsed = time.perf_counter() - t_start

    out = {
        "model": model_name, "model_sha256": file_sha256(model), "lexel_binary": lexel_bin,
        "threads": ARGS.threads, "c_grid": c_grid, "seed": SEED,
        "tfidf_corpus_vocabulary": tfidf.vocabulary_size,
        "meanvec_training_seconds": meanvec.train_seconds,
        "results": results, "goals": goals, "table_markdown": table,
        "throughput_news_bodies": throughput, "elapsed_seconds": elapsed,
        "command": " ".join([os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(ROOT) else
                             sys.executable, os.path.relpath(os.path.abspath(__file__), ROOT)] + sys.argv[1:]),
    }
    write_json(ARGS.json or os.path.join(work, "results.json"), out, indent=2)

    print(f"Model: {model_name} (sha256 {out['model_sha256'][:12]})\n")
    print(table)
    print()
    lost = [g for g in goals if "baseline" in g and not g["pass"]]
    print(f"Goals: Lexel beats every baseline on every metric: {'yes' if not lost else 'no'}; "
          f"news recall@10 = {news_ratio * 100:.1f}% of the teacher's (goal >= 90%): "
          f"{'yes' if news_ratio >= 0.9 else 'no'}")
    for g in lost:
        print(f"  - loses on {g['metric']}: {g['lexel']:.3f} vs {g['baseline']} {g['baseline_value']:.3f}")
    print()
    print("Diagnostics (not part of the goals):")
    print("- mean pairwise cosine, held-out paragraphs: " +
          "; ".join(f"{c} {results[c]['heldout']['mean_cosine']:.3f}" for c in columns))
    print("- LR accuracy with standardised features (StandardScaler on train, same C grid/CV), dense systems: " +
          "; ".join(f"{c} " + ", ".join(f"{t} {results[c][t + '-standardised']['accuracy']:.3f}" for t in cls)
                    for c in columns if f"{next(iter(cls))}-standardised" in results[c]))
    print("- best C (CV): " + "; ".join(f"{c} " + ", ".join(f"{t} {results[c][t]['C']:g}" for t in cls)
                                        for c in columns))
    edges = [f"{c} {t}" for c in columns for t in results[c] if isinstance(results[c][t], dict)
             and results[c][t].get("C_at_grid_edge")]
    unconverged = [f"{c} {t}" for c in columns for t in results[c] if isinstance(results[c][t], dict)
                   and results[c][t].get("refit_converged") is False]
    if edges:
        print("- C at the edge of the grid: " + ", ".join(edges))
    if unconverged:
        print("- refit head did not converge within max_iter: " + ", ".join(unconverged))
    print(f"- Throughput embedding the {len(news)} news bodies (side note; wall clock incl. model load, "
          f"{ARGS.threads} threads, measured when first computed): " +
          "; ".join(f"{k} {v['docs_per_s']:.0f} docs/s" for k, v in throughput.items()))
    print(f"Script run time: {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
