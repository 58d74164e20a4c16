"""k-means on the CPU, in place on a float32 matrix."""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._native import call, lib

METRICS = {"cosine": 0, "euclidean": 1}
PRECISIONS = {"auto": 0, "f32": 1, "int8": 2}


@dataclass
class KMeansResult:
    """What `kmeans` returns."""

    centroids: np.ndarray
    """(k, d) float32: unit vectors for the cosine metric."""
    assignments: np.ndarray
    """(n,) int32: each row's cluster."""
    distances: np.ndarray
    """(n,) float32: 1 - cosine to its centroid, or the squared Euclidean distance."""
    objective: float
    """The sum over rows of the cosine to their centroid (cosine; larger is better), or of the squared distances
    (euclidean: the inertia, smaller is better)."""


def kmeans(x: Any, k: int, *, niter: int = 25, nredo: int = 1, metric: str = "cosine", precision: str = "auto",
           seed: int = 1234, threads: int = 0) -> KMeansResult:
    """Clusters the rows of `x` (an (n, d) array; float32 C-contiguous rows are read in place, other float types
    are converted) into `k` clusters: k-means++ seeding, then up to `niter` Lloyd iterations, the best of `nredo`
    runs. `metric`: "cosine" (spherical k-means, rows scaled to unit length) or "euclidean". `precision`: "f32",
    "int8" (8-bit products on AVX-512 VNNI, near-exact) or "auto" (int8 where the CPU has VNNI). The same seed gives
    the same result at any thread count.

    >>> r = lexel.kmeans(np.random.rand(1000, 16).astype(np.float32), 10)
    >>> r.centroids.shape, r.assignments.shape
    ((10, 16), (1000,))
    """
    a = np.asarray(x)
    if a.dtype.kind != "f":
        raise TypeError(f"kmeans needs floating-point rows (got dtype {a.dtype})")
    if a.ndim != 2:
        raise ValueError(f"kmeans needs a 2-D array of rows (got shape {a.shape})")
    a = np.ascontiguousarray(a, dtype=np.float32)
    n, d = a.shape
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"k must be an integer (got {type(k).__name__})")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)} (got {metric!r})")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {sorted(PRECISIONS)} (got {precision!r})")
    if niter < 1 or nredo < 1:
        raise ValueError(f"niter and nredo must be at least 1 (got niter={niter}, nredo={nredo})")
    if not 1 <= k <= max(n, 1):
        raise ValueError(f"k = {k} clusters need 1 <= k <= n = {n} rows")
    centroids = np.empty((k, d), dtype=np.float32)
    assignments = np.empty(n, dtype=np.int32)
    distances = np.empty(n, dtype=np.float32)
    objective = ctypes.c_double()
    call(lib.lexel_kmeans, a.ctypes.data, n, d, int(k), int(niter), int(nredo), int(seed) & (2**64 - 1),
         METRICS[metric], PRECISIONS[precision], int(threads), centroids.ctypes.data, assignments.ctypes.data,
         distances.ctypes.data, ctypes.byref(objective))
    return KMeansResult(centroids, assignments, distances, objective.value)
