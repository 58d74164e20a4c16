"""The C library (liblexel.so, shipped inside the package) through ctypes, and its error codes as exceptions.

ctypes releases the GIL for the whole of every call, so Python threads calling Lexel run in parallel."""
from __future__ import annotations

import ctypes
import os
from ctypes import POINTER, c_char_p, c_double, c_float, c_int, c_int32, c_int64, c_long, c_uint64, c_void_p

HERE = os.path.dirname(os.path.abspath(__file__))


class LexelError(Exception):
    """An error reported by Lexel's library; the message names the call and what was wrong."""

    code = 0


class ArgumentError(LexelError, ValueError):
    """A bad argument: a count, k or option out of range."""

    code = 1


class FileError(LexelError, OSError):
    """A model or vector file that is missing, unreadable, malformed or of another kind."""

    code = 2


class ClosedError(LexelError, ValueError):
    """A handle used after `close()`."""

    code = 3


class InputError(LexelError, ValueError):
    """Input that cannot be used: text that is not valid UTF-8, points that cannot be clustered."""

    code = 4


class KindError(LexelError, TypeError):
    """A handle of one kind given to another kind's call."""

    code = 5


ERRORS = {e.code: e for e in (ArgumentError, FileError, ClosedError, InputError, KindError)}


def library_path() -> str:
    """`$LEXEL_LIBRARY` when set (a development build), else the library inside the package."""
    return os.environ.get("LEXEL_LIBRARY") or os.path.join(HERE, "liblexel.so")


def _load() -> ctypes.CDLL:
    path = library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"lexel: cannot load its library {path}: {e}") from e
    texts = [c_void_p, c_int, c_void_p, c_int64]  # offsets, offset bits, data, count
    err = [c_char_p, c_long]
    sigs = {
        "lexel_version": ([], c_char_p),
        "lexel_model_open": ([c_char_p, POINTER(c_void_p)] + err, c_int),
        "lexel_model_dim": ([c_void_p], c_int),
        "lexel_embed": ([c_void_p] + texts + [c_void_p, c_int] + err, c_int),
        "lexel_model_close": ([c_void_p], c_int),
        "lexel_classifier_open": ([c_char_p, POINTER(c_void_p)] + err, c_int),
        "lexel_classifier_labels": ([c_void_p], c_int),
        "lexel_classifier_label": ([c_void_p, c_int], c_char_p),
        "lexel_classify": ([c_void_p] + texts + [c_int, c_float, c_void_p, c_void_p, c_int] + err, c_int),
        "lexel_classifier_close": ([c_void_p], c_int),
        "lexel_vectors_open": ([c_char_p, POINTER(c_void_p)] + err, c_int),
        "lexel_vectors_dim": ([c_void_p], c_int),
        "lexel_vectors_count": ([c_void_p], c_int64),
        "lexel_vectors_row": ([c_void_p, c_char_p], c_int64),
        "lexel_vectors_word": ([c_void_p, c_int64, c_char_p, c_long], c_long),
        "lexel_vectors_lookup": ([c_void_p] + texts + [c_void_p, c_int] + err, c_int),
        "lexel_vectors_most_similar": ([c_void_p, c_void_p, c_int, c_void_p, c_int64, c_int64, c_int, c_void_p,
                                        c_void_p, c_int] + err, c_int),
        "lexel_vectors_nearest": ([c_void_p, c_void_p, c_int64, c_int, c_void_p, c_void_p, c_int] + err, c_int),
        "lexel_vectors_close": ([c_void_p], c_int),
        "lexel_kmeans": ([c_void_p, c_int64, c_int, c_int, c_int, c_int, c_uint64, c_int, c_int, c_int, c_void_p,
                          c_void_p, c_void_p, POINTER(c_double)] + err, c_int),
    }
    for name, (args, res) in sigs.items():
        f = getattr(lib, name)
        f.argtypes, f.restype = args, res
    return lib


lib = _load()
_ = (c_int32,)  # label ids come back as int32 arrays (numpy), named here for readers of the signatures


class ErrorBuffer:
    """The message buffer every call that can fail takes; `check` raises its message as the code's exception."""

    def __init__(self) -> None:
        self.buffer = ctypes.create_string_buffer(2048)

    @property
    def args(self) -> tuple:
        return (self.buffer, len(self.buffer))

    def check(self, rc: int) -> None:
        if rc != 0:
            raise ERRORS.get(rc, LexelError)(self.buffer.value.decode("utf-8", "replace"))


def call(fn, *args) -> None:
    """Calls a library function whose last two arguments are the error buffer, raising on a non-zero code."""
    e = ErrorBuffer()
    e.check(fn(*args, *e.args))


def version() -> str:
    """The library's version line ("lexel 0.5.0 (git ...)")."""
    return lib.lexel_version().decode()
