"""Parts of tools/bench_store.py (the entry point): paths, targets and cited figures here, and
  child    the gensim side: one measurement in a fresh Python process (`bench_store.py --child TASK JSON`)
  procs    running a process with its wall clock and peak RSS; StoreBench / gensim children
  inputs   the prepared inputs (trained vectors, fastText model, synthetic matrix, converted files), cached
  measure  the measurement groups, Lexel and gensim alternating
  bench    the whole run (class Bench, made of the mixins of inputs, measure, summary and report)
  summary  medians and the acceptance targets of issue #3
  report   the `## Vector store: side by side` section of Benchmarks/README.md
"""
from pathlib import Path

import lexel_tools

ROOT = Path(lexel_tools.ROOT).resolve()
DATA = Path(lexel_tools.DATA).resolve()
CORPUS = DATA / "corpus" / "words-en.txt.zst"
WS353 = DATA / "eval" / "wordsim353.tsv"
README = ROOT / "Benchmarks" / "README.md"
RESULTS = ROOT / "Benchmarks" / "results"
SECTION = "## Vector store: side by side"
SEED = 20261122
PEER_ENV = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}

# Acceptance targets of issue #3.
TARGETS = {
    "open_first_lookup_ms": 5.0,
    "rss_after_open_mb": 10.0,
    "oov_p50_us_no_subwords": 1000.0,
    "oov_p50_us_subwords": 50.0,
    "int8_size_ratio": 0.3,
    "int8_ws353_delta": 0.01,
    "scan_bandwidth_fraction": 0.70,
    "hnsw_recall": 0.95,
    "hnsw_speedup": 10.0,
}

# Magnitude's own figures (README of plasticityai/magnitude, "Benchmarks and Features", Magnitude Light,
# GoogleNews-vectors-negative300 = 3M x 300, MacBook Pro mid-2014, SSD). Cited, not measured here.
MAGNITUDE_CITED = {
    "source": "https://github.com/plasticityai/magnitude README, table 'Benchmarks and Features' (Magnitude Light, "
              "GoogleNews 3M x 300, MacBook Pro 2014 i7 2.2 GHz, SSD)",
    "initial_load_s": 0.7210,
    "cold_single_key_s": 0.0001,
    "warm_single_key_s": 0.00004,
    "first_most_similar_worst_s": 247.05,
    "first_most_similar_with_disk_cache_s": 1.8217,
    "subsequent_most_similar_s": 0.2434,
    "most_similar_approx_effort_1_s": 0.1873,
    "most_similar_approx_effort_0.1_s": 0.0199,
    "file_size_gb": 4.21,
    "ram_after_load_kb": 18,
    "ram_after_100_queries_kb": 168,
}

