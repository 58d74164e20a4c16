"""What Embedder, Classifier and Vectors share: one open handle of the C library, closed once, picklable."""
from __future__ import annotations

import ctypes
import os
from typing import Callable

from ._native import ClosedError, ErrorBuffer


class Handle:
    """An open file of the C library. Thread-safe: any number of threads may use it at once. Pickles as its path
    (and options), so that Ray or multiprocessing re-open the file in the worker instead of copying the model."""

    _open: Callable  # the library's open call
    _close: Callable  # and its close call
    _kind = "file"

    def __init__(self, path: str | None, threads: int = 0) -> None:
        self.path = None if path is None else os.fspath(path)
        self.threads = threads  # threads per call (0: every online CPU)
        self._ptr = ctypes.c_void_p()
        e = ErrorBuffer()
        arg = None if self.path is None else self.path.encode()
        e.check(type(self)._open(arg, ctypes.byref(self._ptr), *e.args))
        self._closed = False

    def close(self) -> None:
        """Releases the file's memory. Closing twice is harmless; any other use after closing raises ClosedError."""
        if not self._closed:
            self._closed = True
            type(self)._close(self._ptr)

    @property
    def closed(self) -> bool:
        return self._closed

    def _handle(self) -> ctypes.c_void_p:
        if self._closed:
            raise ClosedError(f"this {self._kind} ({self.path or 'the shipped model'}) was closed")
        return self._ptr

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def _options(self) -> dict:
        """Keyword arguments that re-create this object from its path (with pickle)."""
        return {"threads": self.threads}

    def __reduce__(self):
        return (_reopen, (type(self), self.path, self._options()))

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<lexel.{type(self).__name__} {self.path or '(shipped model)'} {state}>"


def _reopen(cls, path, options):
    return cls(path, **options)
