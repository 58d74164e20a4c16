"""lexel.Vectors on fastText's tiny-fasttext.bin and on the .lxv `lexel convert` makes of it: fastText's vectors
(in and out of the vocabulary), the vocabulary, and neighbour queries checked against a brute-force numpy cosine."""
from __future__ import annotations

import pickle

import numpy as np
import pyarrow as pa
import pytest

import lexel
from conftest import STORE_FIXTURES, run_cli, unit

BIN = str(STORE_FIXTURES / "tiny-fasttext.bin")


@pytest.fixture(scope="module")
def lxv_path(tmp_path_factory):
    """tiny-fasttext.bin converted to an unquantised .lxv."""
    path = tmp_path_factory.mktemp("vectors") / "tiny.lxv"
    run_cli("convert", BIN, str(path), "--dtype", "f32")
    assert path.stat().st_size > 0
    return str(path)


@pytest.fixture(params=["bin", "lxv"])
def vectors(request):
    path = BIN if request.param == "bin" else request.getfixturevalue("lxv_path")
    with lexel.Vectors.open(path) as v:
        yield v


def brute_force(v: lexel.Vectors, positive, negative=(), vector=None):
    """(word, cosine) of every word, best first, by numpy over v[all words]: the query is the sum of the positive
    words' unit vectors minus the negative ones' (or `vector`); the given words are left out."""
    words = list(v)
    matrix = unit(v[words])
    if vector is None:
        query = sum(unit(v[w]) for w in positive) - sum((unit(v[w]) for w in negative), np.zeros(v.dim))
    else:
        query = np.asarray(vector, dtype=np.float64)
    scores = matrix @ (query / np.linalg.norm(query))
    given = set(positive) | set(negative)
    return [(words[i], float(scores[i])) for i in np.argsort(-scores, kind="stable") if words[i] not in given]


def check_neighbours(got, want, topn: int, given=()):
    """`got` (from Lexel) against the brute-force list: as many pairs, scores best first and equal to the best
    `topn` brute-force scores, each word scored as numpy scores it; the given words left out."""
    assert len(got) == min(topn, len(want))
    assert all(isinstance(w, str) and isinstance(s, float) for w, s in got)
    scores = [s for _, s in got]
    assert all(a >= b for a, b in zip(scores, scores[1:])), f"scores not descending: {scores}"
    np.testing.assert_allclose(scores, [s for _, s in want[:topn]], atol=1e-5)
    brute = dict(want)
    for word, score in got:
        assert word not in given
        assert word in brute and abs(brute[word] - score) <= 1e-5, (word, score, brute.get(word))
    # where no near-tie makes the order ambiguous, the words themselves are the same
    tied = {i for i in range(len(got)) for j in (i - 1, i + 1)
            if 0 <= j < len(want) and abs(want[i][1] - want[j][1]) < 1e-5}
    assert [w for i, (w, _) in enumerate(got) if i not in tied] == [w for i, (w, _) in enumerate(want[:topn])
                                                                    if i not in tied]


def test_vectors_equal_fasttexts(vectors, tiny_fasttext):
    assert vectors.dim == tiny_fasttext["dim"]
    oov = [w for w in tiny_fasttext["vectors"] if w not in tiny_fasttext["words"]]
    assert oov, "the fixture has out-of-vocabulary words"
    for word, want in tiny_fasttext["vectors"].items():
        got = vectors[word]
        assert got.shape == (vectors.dim,) and got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5, err_msg=word)
    words = list(tiny_fasttext["vectors"])
    want = np.array([tiny_fasttext["vectors"][w] for w in words])
    for batch in (words, tuple(words), np.array(words), pa.array(words), pa.array(words, pa.large_string())):
        np.testing.assert_allclose(vectors[batch], want, rtol=0, atol=1e-5)


def test_vocabulary(vectors, tiny_fasttext):
    words = tiny_fasttext["words"]
    assert len(vectors) == len(words)
    assert list(vectors) == words
    for i in (0, 1, len(words) // 2, len(words) - 1):
        assert vectors.word(i) == words[i]
        assert vectors.index(words[i]) == i
        assert words[i] in vectors
    assert "café" in words and "café" in vectors
    for word in (w for w in tiny_fasttext["vectors"] if w not in words):
        assert word not in vectors and vectors.index(word) is None
    assert "café\0suffix" not in vectors and vectors.index("café\0suffix") is None
    assert "\ud800" not in vectors
    for row in (-1, len(words), 10**9):
        with pytest.raises(IndexError):
            vectors.word(row)


@pytest.mark.parametrize("topn", [1, 5, 1000])
def test_most_similar_by_word(vectors, topn):
    for word in ("café", "pof", "cby"):
        got = vectors.most_similar(word, topn=topn)
        check_neighbours(got, brute_force(vectors, [word]), topn, given=[word])
    assert len(vectors.most_similar("café", topn=1000)) == len(vectors) - 1


def test_most_similar_positive_and_negative(vectors):
    words = list(vectors)
    a, b, c, d = words[5], words[17], words[40], words[101]
    for positive, negative in (([a, b], []), ([a], [b]), ([a, b], [c]), ([a, b, c], [d]), ([], [a])):
        got = vectors.most_similar(positive=positive, negative=negative, topn=8)
        check_neighbours(got, brute_force(vectors, positive, negative), 8, given=positive + negative)
    want = vectors.most_similar(positive=[a, b], negative=[c], topn=8)
    assert vectors.most_similar(positive=(a, b), negative=c, topn=8) == want
    assert vectors.most_similar(positive=np.array([a, b]), negative=np.array([c]), topn=8) == want


def test_analogy_is_most_similar(vectors):
    words = list(vectors)
    a, b, c = words[3], words[27], words[60]
    got = vectors.analogy(a, b, c, topn=6)
    assert got == vectors.most_similar(positive=[b, c], negative=[a], topn=6)
    check_neighbours(got, brute_force(vectors, [b, c], [a]), 6, given=[a, b, c])


def test_similar_by_vector(vectors):
    rng = np.random.default_rng(5)
    for query in (rng.normal(size=vectors.dim), vectors["café"], vectors["memroy"]):
        got = vectors.similar_by_vector(query, topn=7)
        check_neighbours(got, brute_force(vectors, [], vector=query), 7)
    top, score = vectors.similar_by_vector(vectors["café"], topn=1)[0]
    assert top == "café" and abs(score - 1) < 1e-5
    as_list = vectors.similar_by_vector(list(map(float, vectors["pof"])), topn=3)
    assert as_list == vectors.similar_by_vector(vectors["pof"], topn=3)


def test_bin_and_lxv_agree(lxv_path):
    fast, converted = lexel.Vectors.open(BIN), lexel.Vectors.open(lxv_path)
    assert len(fast) == len(converted) and list(fast) == list(converted)
    queries = [dict(positive="café"), dict(positive=["pof", "cby"], negative=["café"]), dict(positive="memroy")]
    for q in queries:
        got, want = converted.most_similar(topn=10, **q), fast.most_similar(topn=10, **q)
        assert [w for w, _ in got] == [w for w, _ in want], q
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-5)
    v = fast["kernels"]
    assert [w for w, _ in converted.similar_by_vector(v)] == [w for w, _ in fast.similar_by_vector(v)]


def test_errors(vectors):
    with pytest.raises(ValueError, match="topn"):
        vectors.most_similar("café", topn=0)
    with pytest.raises(ValueError, match="topn"):
        vectors.similar_by_vector(np.zeros(vectors.dim), topn=-1)
    for empty in (dict(), dict(positive=[]), dict(positive=[], negative=[])):
        with pytest.raises(ValueError, match="at least one word"):
            vectors.most_similar(**empty)
    for shape in ((vectors.dim + 1,), (1, vectors.dim), (vectors.dim - 1,), ()):
        with pytest.raises(ValueError, match="shape"):
            vectors.similar_by_vector(np.ones(shape, dtype=np.float32))
    with pytest.raises(lexel.InputError, match=r"\btext 1\b"):
        vectors[["café", b"\xff"]]
    with pytest.raises(TypeError):
        vectors[[1, 2]]


def test_pickle_and_close(lxv_path):
    v = lexel.Vectors.open(lxv_path, threads=1)
    copy = pickle.loads(pickle.dumps(v))
    assert copy.path == v.path and copy.threads == 1 and len(copy) == len(v)
    np.testing.assert_array_equal(copy["café"], v["café"])
    copy.close()
    assert copy.closed and not v.closed
    for use in (lambda: copy["café"], lambda: "café" in copy, lambda: len(copy), lambda: copy.word(0),
                lambda: copy.index("café"), lambda: copy.most_similar("café"), lambda: list(copy),
                lambda: copy.similar_by_vector(np.ones(v.dim)), lambda: copy.dim):
        with pytest.raises(lexel.ClosedError):
            use()
