"""Document embeddings with a lexical-dense model (Lexel .lxm, or Luxical .npz)."""
from __future__ import annotations

import os
import sys
import time
from typing import Any, Optional

import numpy as np

from . import _texts
from ._handle import Handle, _reopen
from ._native import lib

SHIPPED_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models", "lexel-minilm-distilled.lxm")


class Progress:
    """A one-line progress bar on standard error: done/total, rate, ETA."""

    def __init__(self, total: int, what: str, show: bool) -> None:
        self.total, self.what, self.show, self.start, self.done = total, what, show and total > 0, time.monotonic(), 0

    def add(self, n: int) -> None:
        if not self.show:
            return
        self.done += n
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate > 0 else 0
        bar = "#" * int(30 * self.done / self.total)
        sys.stderr.write(f"\r{self.what} [{bar:<30}] {self.done}/{self.total} {rate:,.0f}/s ETA {eta:.0f}s")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def arrow_vectors(matrix: np.ndarray):
    """A (n, d) float32 matrix as an Arrow FixedSizeList<float32, d> array over the same memory."""
    import pyarrow as pa
    flat = pa.array(matrix.reshape(-1), type=pa.float32())
    return pa.FixedSizeListArray.from_arrays(flat, matrix.shape[1])


class Embedder(Handle):
    """Embeds documents as unit vectors: WordPiece n-gram TF-IDF, then a small ReLU network (Luxical's design),
    on all cores of the CPU, with the GIL released.

    >>> import lexel
    >>> model = lexel.Embedder.load()            # the shipped model (distilled from all-MiniLM-L6-v2)
    >>> model.encode(["a first text", "a second one"]).shape
    (2, 1408)
    """

    _open = lib.lexel_model_open
    _close = lib.lexel_model_close
    _kind = "embedder"

    def __init__(self, path: Optional[str] = None, threads: int = 0) -> None:
        super().__init__(path if path is not None else SHIPPED_MODEL, threads)
        self._shipped = path is None
        self._dim = lib.lexel_model_dim(self._ptr)

    @classmethod
    def load(cls, path: Optional[str] = None, *, threads: int = 0) -> "Embedder":
        """Opens a model: a Lexel `.lxm` or a Luxical `.npz`; the shipped model when `path` is None.
        `threads`: threads per call (0: every online CPU)."""
        return cls(path, threads)

    def __reduce__(self):
        # the shipped model pickles without its path: a worker (another venv, another machine) opens its own copy
        return (_reopen, (type(self), None if self._shipped else self.path, self._options()))

    @property
    def dim(self) -> int:
        """Floats per embedding."""
        self._handle()
        return self._dim

    def get_sentence_embedding_dimension(self) -> int:
        """The embedding size (sentence-transformers' name for `dim`)."""
        return self.dim

    def encode(self, texts: Any, batch_size: int = 4096, normalize_embeddings: bool = True,
               show_progress_bar: bool = False, output: str = "numpy", threads: Optional[int] = None,
               out: Optional[np.ndarray] = None):
        """Embeds `texts`: one str (a 1-D vector back), or a list/tuple of str, a numpy string array or a pyarrow
        (Large)StringArray/ChunkedArray (read in place; nulls are empty texts) -> an (n, dim) float32 matrix, or
        with `output="arrow"` a pyarrow FixedSizeList<float32> array over the same memory.

        Rows are unit vectors (zero for a text with no known word piece); `normalize_embeddings` is accepted for
        sentence-transformers compatibility and changes nothing, since the model's output is already normalised.
        `batch_size` texts go to the library per call (each call uses all `threads`); `out` is an optional
        C-contiguous (n, dim) float32 array to write into."""
        if output not in ("numpy", "arrow"):
            raise ValueError(f'output must be "numpy" or "arrow" (got {output!r})')
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1 (got {batch_size})")
        single = isinstance(texts, str)
        if single:
            texts = [texts]
        texts = _texts.prepare(texts)
        ptr = self._handle()
        n, dim = len(texts), self._dim
        if out is None:
            out = np.empty((n, dim), dtype=np.float32)
        elif out.dtype != np.float32 or out.shape != (n, dim) or not out.flags.c_contiguous:
            raise ValueError(f"out must be a C-contiguous float32 array of shape {(n, dim)} "
                             f"(got {out.dtype} {out.shape})")
        threads = self.threads if threads is None else threads
        progress = Progress(n, "embedding", show_progress_bar)
        row = 0
        for column in _texts.chunks(texts, batch_size):
            column.call(lib.lexel_embed, ptr, *column.args, out[row:].ctypes.data, threads)
            row += column.count
            progress.add(column.count)
        if single:
            return out[0]
        return arrow_vectors(out) if output == "arrow" else out

    __call__ = encode
