"""Text classification with a fastText model (.bin, .ftz) or a lexical model with a classifier head (.lxm)."""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np

from . import _texts
from ._handle import Handle
from ._native import lib


class Classifier(Handle):
    """A classifier from fastText (`fasttext supervised`), `lexel supervised` or `lexel train-head`. Unlike
    fastText's Python module, `predict` takes a whole batch (a list or a pyarrow string array), returns arrays,
    and runs on all cores with the GIL released.

    >>> clf = lexel.Classifier.load("quality.bin")
    >>> labels, probs = clf.predict(["some text", "another"], k=2)
    >>> labels.shape, probs.dtype
    ((2, 2), dtype('float32'))
    """

    _open = lib.lexel_classifier_open
    _close = lib.lexel_classifier_close
    _kind = "classifier"

    def __init__(self, path: str, threads: int = 0) -> None:
        if path is None:
            raise TypeError("Classifier.load needs a path")
        super().__init__(path, threads)
        n = lib.lexel_classifier_labels(self._ptr)
        self._labels = [lib.lexel_classifier_label(self._ptr, i).decode("utf-8", "replace") for i in range(n)]
        self._names = np.array(self._labels + [""], dtype=object)  # id -1 (no label) reads ""

    @classmethod
    def load(cls, path: str, *, threads: int = 0) -> "Classifier":
        """Opens a classifier file. `threads`: threads per call (0: every online CPU)."""
        return cls(path, threads)

    @property
    def labels(self) -> List[str]:
        """The label names, as in the file ("__label__spam")."""
        self._handle()
        return list(self._labels)

    def predict_ids(self, texts: Any, k: int = 1, threshold: float = 0.0,
                    threads: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
        """Like `predict`, with label ids (int32; -1 where fewer than k labels pass the threshold) for names."""
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be an integer >= 1 (got {k!r})")
        texts = _texts.prepare(texts)
        ptr = self._handle()
        n = len(texts)
        ids = np.empty((n, k), dtype=np.int32)
        probs = np.empty((n, k), dtype=np.float32)
        threads = self.threads if threads is None else threads
        row = 0
        for column in _texts.chunks(texts, 1 << 16):
            column.call(lib.lexel_classify, ptr, *column.args, int(k), float(threshold),
                        ids[row:].ctypes.data, probs[row:].ctypes.data, threads)
            row += column.count
        return ids, probs

    def predict(self, texts: Any, k: int = 1, threshold: float = 0.0,
                threads: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
        """The `k` most probable labels of each text with probability >= `threshold`, best first.

        Returns (labels, probabilities): for a list of n texts, an (n, k) array of label names (object dtype; ""
        where fewer than k labels pass the threshold) and an (n, k) float32 array of probabilities (0 there); for
        one str, two arrays of k."""
        single = isinstance(texts, str)
        ids, probs = self.predict_ids([texts] if single else texts, k, threshold, threads)
        names = self._names[ids]
        return (names[0], probs[0]) if single else (names, probs)
