"""Word vectors: lookups and nearest neighbours in a .lxv (queried in place) or a fastText/word2vec file."""
from __future__ import annotations

import ctypes
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _texts
from ._handle import Handle
from ._native import call, lib

Words = Union[str, Sequence[str]]


class Vectors(Handle):
    """Word vectors in gensim's style: `v["word"]`, `v[["a", "b"]]`, `"word" in v`, `most_similar`, `analogy`.
    Every word gets a vector: out-of-vocabulary words through fastText subwords or (a .lxv) spelling neighbours.

    >>> v = lexel.Vectors.open("words.lxv")
    >>> v.most_similar("king", topn=3)
    [('queen', 0.78), ...]
    """

    _open = lib.lexel_vectors_open
    _close = lib.lexel_vectors_close
    _kind = "vector file"

    def __init__(self, path: str, threads: int = 0) -> None:
        if path is None:
            raise TypeError("Vectors.open needs a path")
        super().__init__(path, threads)
        self._dim = lib.lexel_vectors_dim(self._ptr)

    @classmethod
    def open(cls, path: str, *, threads: int = 0) -> "Vectors":
        """Opens a `.lxv`, a fastText or Lexel `.bin`, a word2vec `.bin` or a `.vec` text file."""
        return cls(path, threads)

    @property
    def dim(self) -> int:
        """Floats per vector."""
        self._handle()
        return self._dim

    def __len__(self) -> int:
        return int(lib.lexel_vectors_count(self._handle()))

    def __contains__(self, word: str) -> bool:
        return self.index(word) is not None

    def index(self, word: str) -> Optional[int]:
        """The row of `word`, or None when it is out of the vocabulary."""
        ptr = self._handle()
        if "\0" in word:  # the library reads NUL-terminated words: "a\0b" would be looked up as "a"
            return None
        r = lib.lexel_vectors_row(ptr, word.encode("utf-8", "surrogatepass"))
        return None if r < 0 else int(r)

    def word(self, row: int) -> str:
        """The word of row `row` (0 ..< len)."""
        ptr = self._handle()
        size = lib.lexel_vectors_word(ptr, row, None, 0)
        if size < 0:
            raise IndexError(f"row {row} is not in 0..<{len(self)}")
        buffer = ctypes.create_string_buffer(size + 1)
        lib.lexel_vectors_word(ptr, row, buffer, size + 1)
        return buffer.value.decode("utf-8", "replace")

    def __getitem__(self, words: Words) -> np.ndarray:
        """The vector of a word (dim floats), or of each word of a list ((n, dim))."""
        single = isinstance(words, str)
        seq = [words] if single else _texts.prepare(words)
        ptr = self._handle()
        out = np.zeros((len(seq), self._dim), dtype=np.float32)
        row = 0
        for column in _texts.chunks(seq, 1 << 16):
            column.call(lib.lexel_vectors_lookup, ptr, *column.args, out[row:].ctypes.data, self.threads)
            row += column.count
        return out[0] if single else out

    def _matches(self, rows: np.ndarray, scores: np.ndarray) -> List[Tuple[str, float]]:
        return [(self.word(int(r)), float(s)) for r, s in zip(rows, scores) if r >= 0]

    def most_similar(self, positive: Optional[Words] = None, negative: Optional[Words] = None,
                     topn: int = 10) -> List[Tuple[str, float]]:
        """gensim's `most_similar`: the `topn` words nearest by cosine to the sum of the positive words' unit
        vectors minus the negative ones', as (word, cosine) pairs; the given words are left out."""
        pos, neg = _word_list(positive), _word_list(negative)
        if not pos and not neg:
            raise ValueError("most_similar needs at least one word")
        if topn < 1:
            raise ValueError(f"topn must be at least 1 (got {topn})")
        ptr = self._handle()
        rows = np.empty(topn, dtype=np.int64)
        scores = np.empty(topn, dtype=np.float32)
        column = next(_texts.chunks(pos + neg, len(pos) + len(neg)))
        column.call(lib.lexel_vectors_most_similar, ptr, column.offsets, column.bits, column.data, len(pos), len(neg),
                    topn, rows.ctypes.data, scores.ctypes.data, self.threads)
        return self._matches(rows, scores)

    def analogy(self, a: str, b: str, c: str, topn: int = 10) -> List[Tuple[str, float]]:
        """"`a` is to `b` as `c` is to ?": most_similar(positive=[b, c], negative=[a]) (3CosAdd)."""
        return self.most_similar(positive=[b, c], negative=[a], topn=topn)

    def similar_by_vector(self, vector: Any, topn: int = 10) -> List[Tuple[str, float]]:
        """The `topn` words nearest by cosine to a vector of `dim` floats."""
        q = np.ascontiguousarray(vector, dtype=np.float32)
        if q.shape != (self._dim,):
            raise ValueError(f"the vector must have shape ({self._dim},) (got {q.shape})")
        if topn < 1:
            raise ValueError(f"topn must be at least 1 (got {topn})")
        ptr = self._handle()
        rows = np.empty(topn, dtype=np.int64)
        scores = np.empty(topn, dtype=np.float32)
        call(lib.lexel_vectors_nearest, ptr, q.ctypes.data, 1, topn, rows.ctypes.data, scores.ctypes.data, self.threads)
        return self._matches(rows, scores)

    def __iter__(self) -> Iterable[str]:
        return (self.word(i) for i in range(len(self)))


def _word_list(words: Optional[Words]) -> List[str]:
    """None, one word or a sequence of words (a numpy array included) as a list."""
    if words is None:
        return []
    return [words] if isinstance(words, str) else list(words)
