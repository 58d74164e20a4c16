"""lexel.kmeans: separated blobs recovered, the same result at any thread count, outputs that agree with numpy,
and argument errors."""
from __future__ import annotations

import numpy as np
import pytest

import lexel


def blobs(k=5, per=200, d=16, seed=0):
    """k well-separated Gaussian blobs (centres ~10 sigma apart) and each point's blob."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d)) * 10
    truth = np.repeat(np.arange(k), per)
    x = (centres[truth] + rng.normal(size=(k * per, d))).astype(np.float32)
    order = rng.permutation(len(x))
    return x[order], truth[order]


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two labellings are the same up to renaming the clusters."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("precision", ["auto", "f32", "int8"])
def test_blobs_are_recovered(metric, precision):
    x, truth = blobs()
    r = lexel.kmeans(x, 5, metric=metric, precision=precision, seed=7, nredo=2)
    assert isinstance(r, lexel.KMeansResult)
    assert r.centroids.shape == (5, 16) and r.centroids.dtype == np.float32
    assert r.assignments.shape == (1000,) and r.assignments.dtype == np.int32
    assert r.distances.shape == (1000,) and r.distances.dtype == np.float32
    assert set(r.assignments.tolist()) == set(range(5))
    assert same_partition(r.assignments, truth)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("precision", ["f32", "auto"])
def test_thread_counts_agree(metric, precision):
    x, _ = blobs(k=8, per=150, d=24, seed=1)
    x += np.random.default_rng(2).normal(size=x.shape).astype(np.float32) * 4  # overlapping: a harder problem
    one = lexel.kmeans(x, 8, metric=metric, precision=precision, seed=11, threads=1)
    two = lexel.kmeans(x, 8, metric=metric, precision=precision, seed=11, threads=2)
    np.testing.assert_array_equal(one.assignments, two.assignments)
    np.testing.assert_array_equal(one.centroids, two.centroids)
    np.testing.assert_array_equal(one.distances, two.distances)
    assert one.objective == two.objective
    again = lexel.kmeans(x, 8, metric=metric, precision=precision, seed=11, threads=2)
    np.testing.assert_array_equal(again.assignments, one.assignments)


def test_seeds_matter():
    x = np.random.default_rng(4).normal(size=(600, 8)).astype(np.float32)  # no structure: seeds find different optima
    runs = [lexel.kmeans(x, 10, seed=s, metric="euclidean", niter=3) for s in range(4)]
    assert len({r.objective for r in runs}) > 1


@pytest.mark.parametrize("precision", ["f32", "auto"])
def test_euclidean_outputs_agree_with_numpy(precision):
    x, _ = blobs(seed=3)
    r = lexel.kmeans(x, 5, metric="euclidean", precision=precision, seed=1)
    x64, c64 = x.astype(np.float64), r.centroids.astype(np.float64)
    squared = ((x64[:, None, :] - c64[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(r.assignments, squared.argmin(axis=1))
    own = squared[np.arange(len(x)), r.assignments]
    np.testing.assert_allclose(r.distances, own, rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(r.objective, own.sum(), rtol=1e-4)
    np.testing.assert_allclose(r.objective, r.distances.astype(np.float64).sum(), rtol=1e-5)
    # the centroids are the means of their clusters (Lloyd converged on separated blobs)
    for j in range(5):
        np.testing.assert_allclose(r.centroids[j], x64[r.assignments == j].mean(axis=0), atol=1e-3)


@pytest.mark.parametrize("precision", ["f32", "auto"])
def test_cosine_outputs_agree_with_numpy(precision):
    x, _ = blobs(seed=5)
    r = lexel.kmeans(x, 5, metric="cosine", precision=precision, seed=2)
    np.testing.assert_allclose(np.linalg.norm(r.centroids.astype(np.float64), axis=1), 1, atol=1e-5)
    u = x.astype(np.float64) / np.linalg.norm(x.astype(np.float64), axis=1, keepdims=True)
    cosines = u @ r.centroids.astype(np.float64).T
    np.testing.assert_array_equal(r.assignments, cosines.argmax(axis=1))
    own = cosines[np.arange(len(x)), r.assignments]
    np.testing.assert_allclose(r.distances, 1 - own, atol=1e-3)
    np.testing.assert_allclose(r.objective, own.sum(), rtol=1e-4)


def test_other_float_inputs_are_converted():
    x, _ = blobs(seed=6)
    want = lexel.kmeans(x, 5, seed=3, threads=1)
    for other in (x.astype(np.float64), np.asfortranarray(x), x.astype(np.float64).tolist()):
        got = lexel.kmeans(other, 5, seed=3, threads=1)
        np.testing.assert_array_equal(got.assignments, want.assignments)
        np.testing.assert_allclose(got.centroids, want.centroids, atol=1e-6)
    strided = np.repeat(x, 2, axis=0)[::2]
    np.testing.assert_array_equal(lexel.kmeans(strided, 5, seed=3, threads=1).assignments, want.assignments)
    before = x.copy()
    lexel.kmeans(x, 5, seed=3)
    np.testing.assert_array_equal(x, before)  # read in place, never changed


def test_argument_errors():
    x, _ = blobs(k=2, per=10, d=4)
    with pytest.raises(TypeError, match="floating-point"):
        lexel.kmeans(x.astype(np.int32), 2)
    with pytest.raises(TypeError):
        lexel.kmeans(x > 0, 2)
    for shape in ((20,), (2, 10, 4)):
        with pytest.raises(ValueError, match="2-D"):
            lexel.kmeans(np.zeros(shape, np.float32), 2)
    for k in (0, -1, 21):
        with pytest.raises(ValueError, match="k = "):
            lexel.kmeans(x, k)
    with pytest.raises(TypeError):
        lexel.kmeans(x, 2.0)
    with pytest.raises(ValueError, match="metric"):
        lexel.kmeans(x, 2, metric="manhattan")
    with pytest.raises(ValueError, match="precision"):
        lexel.kmeans(x, 2, precision="f16")
    for options in (dict(niter=0), dict(nredo=0), dict(niter=-3)):
        with pytest.raises(ValueError):
            lexel.kmeans(x, 2, **options)
    with pytest.raises(ValueError):
        lexel.kmeans(np.zeros((0, 4), np.float32), 1)


def test_points_that_cannot_be_clustered():
    x, _ = blobs(k=2, per=10, d=4)
    for bad in (np.nan, np.inf, -np.inf):
        y = x.copy()
        y[7, 2] = bad
        with pytest.raises(lexel.InputError, match=r"row 7"):
            lexel.kmeans(y, 2)
    y = x.copy()
    y[3] = 0
    with pytest.raises(lexel.InputError, match="row 3"):
        lexel.kmeans(y, 2, metric="cosine")
    r = lexel.kmeans(y, 2, metric="euclidean")  # a zero row is a point like any other
    assert r.assignments.shape == (20,)
