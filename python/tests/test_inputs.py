"""Bad input gives a clear Python exception (and the process lives on); big inputs work."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import lexel
from conftest import CLASSIFIER_FIXTURES, STORE_FIXTURES


def invalid_utf8_arrow(texts: list, large: bool = False) -> pa.Array:
    """A string array over raw bytes (pyarrow does not check them here)."""
    offsets = np.cumsum([0] + [len(t) for t in texts]).astype(np.int64 if large else np.int32)
    return pa.Array.from_buffers(pa.large_string() if large else pa.string(), len(texts),
                                 [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(texts))])


@pytest.mark.parametrize("batch_size", [4096, 2])
def test_invalid_utf8_names_the_text(embedder, batch_size):
    texts = ["fine", "also fine", b"bad \xff byte", "after"]
    with pytest.raises(lexel.InputError, match=r"\btext 2\b.*UTF-8"):
        embedder.encode(texts, batch_size=batch_size)
    with pytest.raises(lexel.InputError, match=r"\btext 0\b"):
        embedder.encode([b"\xff"])
    assert embedder.encode(["still alive"]).shape == (1, 1408)


@pytest.mark.parametrize("batch_size", [4096, 2])
@pytest.mark.parametrize("large", [False, True])
def test_invalid_utf8_in_arrow_names_the_text(embedder, batch_size, large):
    arr = invalid_utf8_arrow([b"one", b"two", b"three", b"\xc3(", b"five"], large)
    with pytest.raises(lexel.InputError, match=r"\btext 3\b"):
        embedder.encode(arr, batch_size=batch_size)
    binary = pa.array([b"one", b"two", b"\xe2\x82"], pa.large_binary() if large else pa.binary())
    with pytest.raises(lexel.InputError, match=r"\btext 2\b"):
        embedder.encode(binary, batch_size=batch_size)


def test_lone_surrogate_is_an_input_error(embedder):
    with pytest.raises(lexel.InputError, match=r"\btext 1\b"):
        embedder.encode(["fine", "bad \ud800 surrogate"])
    with pytest.raises(lexel.InputError):
        embedder.encode("\udfff")


def test_non_text_items_are_type_errors(embedder):
    with pytest.raises(TypeError, match=r"\btext 1\b.*int"):
        embedder.encode(["fine", 3, "fine"])
    with pytest.raises(TypeError, match=r"\btext 0\b.*NoneType"):
        embedder.encode([None])
    with pytest.raises(TypeError, match="int64"):
        embedder.encode(np.array([1, 2, 3]))
    with pytest.raises(TypeError):
        embedder.encode(np.array([1.5, 2.5]))
    with pytest.raises(TypeError, match="not text"):
        embedder.encode(pa.array([1, 2]))
    with pytest.raises(TypeError):
        embedder.encode(42)
    with pytest.raises(TypeError):
        embedder.encode(b"bytes alone")
    with pytest.raises(ValueError, match="1-D"):
        embedder.encode(np.array([["a", "b"]]))


def test_wrong_output_is_a_value_error(embedder):
    for bad in ("pandas", "NUMPY", None):
        with pytest.raises(ValueError, match="output"):
            embedder.encode(["text"], output=bad)


def test_ten_megabyte_text(embedder):
    words = np.array("lorem ipsum dolor sit amet kernel flights paris bread".split())
    text = " ".join(words[np.arange(1_700_000) % len(words)])
    assert len(text.encode()) > 10_000_000
    v = embedder.encode([text, "short"])
    assert v.shape == (2, 1408) and np.isfinite(v).all()
    assert abs(float(np.linalg.norm(v[0])) - 1) < 1e-5


def test_hundred_thousand_texts(embedder):
    texts = [f"text number {i} about {('flights', 'bread', 'kernels')[i % 3]}" for i in range(100_000)]
    v = embedder.encode(texts)
    assert v.shape == (100_000, 1408) and np.isfinite(v).all()
    np.testing.assert_allclose(np.linalg.norm(v[::997], axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(v[[1, 99_998]], embedder.encode([texts[1], texts[99_998]]))


def test_missing_files_are_file_errors(tmp_path):
    missing = tmp_path / "no-such-model.lxm"
    for opener in (lexel.Embedder.load, lexel.Classifier.load, lexel.Vectors.open):
        with pytest.raises(lexel.FileError, match="no-such-model.lxm") as info:
            opener(str(missing))
        assert isinstance(info.value, OSError) and isinstance(info.value, lexel.LexelError)
    with pytest.raises(lexel.FileError):
        lexel.Embedder.load(missing)  # a PathLike


def test_files_of_another_kind_are_file_errors(tmp_path):
    with pytest.raises(lexel.FileError, match=r"ns\.bin.*(lexical model|fastText)"):
        lexel.Embedder.load(str(CLASSIFIER_FIXTURES / "ns.bin"))
    with pytest.raises(lexel.FileError, match="tiny-fasttext.bin"):
        lexel.Embedder.load(str(STORE_FIXTURES / "tiny-fasttext.bin"))
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00garbage" * 100)
    for opener in (lexel.Embedder.load, lexel.Classifier.load, lexel.Vectors.open):
        with pytest.raises(lexel.FileError, match="garbage.bin"):
            opener(str(garbage))
    empty = tmp_path / "empty.lxm"
    empty.write_bytes(b"")
    with pytest.raises(lexel.FileError, match="empty.lxm"):
        lexel.Embedder.load(str(empty))


def test_paths_are_required():
    with pytest.raises(TypeError):
        lexel.Classifier.load(None)
    with pytest.raises(TypeError):
        lexel.Vectors.open(None)
