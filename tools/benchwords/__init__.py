"""Parts of tools/bench_words.py (the entry point): the settings every tool trains with, and
  child     one peer model trained in a fresh process (fastText, gensim)
  measure   a child process's wall clock and peak RSS
  evaluate  the one numpy evaluator of every .vec (WordSim353, analogies) and its cross-check against gensim
  report    medians over repeats and the Benchmarks/README.md section
"""
SECTION = "## Word vectors: side by side"

CONFIGS = {
    # name: (model, subwords)
    "sg-sub": ("skipgram", True),
    "sg": ("skipgram", False),
    "cbow": ("cbow", False),
}
CONFIG_DESC = {
    "sg-sub": "skip-gram + subwords (minn 3, maxn 6)",
    "sg": "skip-gram, no subwords (maxn 0)",
    "cbow": "CBOW, no subwords (maxn 0)",
}
ALL_TOOLS = ["fasttext", "gensim", "lexel"]

COMMON = dict(dim=100, ws=5, neg=5, epoch=5, min_count=5, threads=2, t=1e-4, minn=3, maxn=6,
              bucket=2000000, seed=1)

