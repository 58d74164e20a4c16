"""Texts as the C library takes them: an Arrow-style column (offsets + UTF-8 bytes). pyarrow string arrays are
passed as they are (zero-copy); lists and numpy arrays are encoded once into one buffer."""
from __future__ import annotations

import ctypes
import re
from typing import Any, Iterator, Sequence

import numpy as np

from ._native import InputError, LexelError, call

_EMPTY = ctypes.create_string_buffer(1)  # a valid pointer for columns with no bytes at all


class Column:
    """`count` texts: `offsets` (count + 1 integers, 32- or 64-bit) into `data`, with what keeps them alive."""

    __slots__ = ("offsets", "bits", "data", "count", "first", "_keep")

    def __init__(self, offsets: int, bits: int, data: int, count: int, first: int, keep: Any) -> None:
        self.offsets, self.bits, self.data, self.count, self.first, self._keep = offsets, bits, data, count, first, keep

    def call(self, fn, *args) -> None:
        """Runs a library call on these texts; an error's text number is made to count from the whole input."""
        try:
            call(fn, *args)
        except LexelError as e:
            if self.first:
                message = re.sub(r"\btext (\d+)", lambda m: f"text {int(m.group(1)) + self.first}", str(e), count=1)
                raise type(e)(message) from None
            raise

    @property
    def args(self) -> tuple:
        return (self.offsets, self.bits, self.data, self.count)


def _arrow():
    try:
        import pyarrow
    except ImportError:
        return None
    return pyarrow


def is_arrow(texts: Any) -> bool:
    pa = _arrow()
    return pa is not None and isinstance(texts, (pa.Array, pa.ChunkedArray))


def arrow_chunks(texts: Any, size: int) -> Iterator[Column]:
    """Columns of at most `size` texts over a pyarrow (Large)StringArray or ChunkedArray, in place. Nulls are read
    as empty texts (that needs one copy of the chunk that has them). (Large)BinaryArrays are read the same way:
    the library checks their UTF-8 (InputError naming the text)."""
    pa = _arrow()
    chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
    first = 0
    for chunk in chunks:
        t = chunk.type
        if pa.types.is_string_view(t) if hasattr(pa.types, "is_string_view") else False:
            chunk = chunk.cast(pa.large_string())
        elif not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t)
                  or pa.types.is_large_binary(t)):
            raise TypeError(f"an Arrow array of {t} is not text (expected string or large_string)")
        if chunk.null_count:
            import pyarrow.compute as pc
            chunk = pc.fill_null(chunk, "")
        for start in range(0, len(chunk), size):
            part = chunk.slice(start, size)
            bits = 64 if pa.types.is_large_string(part.type) or pa.types.is_large_binary(part.type) else 32
            _, offsets, data = part.buffers()
            offset_address = offsets.address + part.offset * (bits // 8)
            data_address = data.address if data is not None and data.size else ctypes.addressof(_EMPTY)
            yield Column(offset_address, bits, data_address, len(part), first + start, part)
        first += len(chunk)


def _encode(texts: Sequence[Any], first: int) -> Column:
    encoded = []
    for i, t in enumerate(texts):
        if isinstance(t, str):
            try:
                encoded.append(t.encode("utf-8"))
            except UnicodeEncodeError as e:
                raise InputError(f"text {first + i} is not valid UTF-8 text: {e.reason} at character {e.start}") from None
        elif isinstance(t, (bytes, bytearray, memoryview)):
            encoded.append(bytes(t))  # checked as UTF-8 by the library
        else:
            raise TypeError(f"text {first + i} is {type(t).__name__}, not str")
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    data = b"".join(encoded) or b"\0"
    buffer = ctypes.c_char_p(data)
    return Column(offsets.ctypes.data, 64, ctypes.cast(buffer, ctypes.c_void_p).value, len(encoded), first,
                  (offsets, data, buffer))


def as_sequence(texts: Any) -> Sequence[Any]:
    """A list, tuple or numpy array of texts as a sequence of str/bytes."""
    if isinstance(texts, np.ndarray):
        if texts.ndim != 1:
            raise ValueError(f"texts must be a 1-D array (got shape {texts.shape})")
        if texts.dtype.kind not in "USO":
            raise TypeError(f"a numpy array of {texts.dtype} is not text")
        return texts.tolist()
    if isinstance(texts, (list, tuple)):
        return texts
    if isinstance(texts, (str, bytes)):
        raise TypeError("expected a sequence of texts")
    try:
        return list(texts)
    except TypeError:
        raise TypeError(f"texts must be a list of str, a numpy or pyarrow string array (got {type(texts).__name__})") from None


def chunks(texts: Any, size: int) -> Iterator[Column]:
    """Columns of at most `size` texts from any accepted input (list, tuple, iterable, numpy, pyarrow)."""
    if is_arrow(texts):
        yield from arrow_chunks(texts, size)
        return
    seq = as_sequence(texts)
    for start in range(0, len(seq), size):
        yield _encode(seq[start:start + size], start)


def prepare(texts: Any) -> Any:
    """A pyarrow array as it is; anything else as a sequence of str/bytes (so that its length is known)."""
    return texts if is_arrow(texts) else as_sequence(texts)
