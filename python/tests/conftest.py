"""Shared paths and fixtures of the Python package's tests: the repository's committed fixtures (made by fastText,
luxical and the Swift suite's tools) and the `lexel` CLI for golden outputs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import lexel

ROOT = Path(__file__).resolve().parents[2]  # python/tests -> the repository
CLI = ROOT / ".build" / "release" / "lexel"
CLASSIFIER_FIXTURES = ROOT / "Tests" / "LexelClassifierTests" / "Fixtures"
STORE_FIXTURES = ROOT / "Tests" / "LexelStoreTests" / "Fixtures"
LUXICAL_FIXTURES = ROOT / "Tests" / "LexelLexicalTests" / "Fixtures" / "luxical"
PARAGRAPHS = ROOT / "vocab" / "demo-paragraphs.jsonl.zst"
CLASSIFIER_MODELS = ["softmax-bigrams", "ns", "hs-subwords", "ova-trigrams"]


def load_json(path: Path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cli_path() -> str:
    """The release CLI, or a skip naming what to build."""
    if not (CLI.is_file() and os.access(CLI, os.X_OK)):
        pytest.skip(f"the lexel CLI {CLI} is missing (run `make release`)")
    return str(CLI)


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Runs the CLI; a non-zero exit fails the test with its standard error."""
    p = subprocess.run([cli_path(), *args], input=stdin, capture_output=True, timeout=120)
    assert p.returncode == 0, f"lexel {' '.join(args)} exited {p.returncode}: {p.stderr.decode(errors='replace')}"
    return p


@pytest.fixture(scope="session")
def embedder():
    """The shipped model, opened once (tests that close a handle open their own)."""
    with lexel.Embedder.load() as model:
        yield model


@pytest.fixture(scope="session")
def classifier_expected():
    return load_json(CLASSIFIER_FIXTURES / "expected.json")


@pytest.fixture(scope="session")
def tiny_fasttext():
    """tiny-fasttext.json: {"words", "dim", "vectors": {word: fastText's vector}} (some words out of vocabulary)."""
    return load_json(STORE_FIXTURES / "tiny-fasttext.json")


@pytest.fixture(scope="session")
def lid_texts():
    """The 2,000 paragraphs of vocab/demo-paragraphs.jsonl.zst (newlines as spaces, as the Swift test reads them)
    followed by lid-expected.json's other lines, and the expected top-1 [label, probability] of each."""
    expected = load_json(CLASSIFIER_FIXTURES / "lid-expected.json")
    if pa.Codec.is_available("zstd"):
        with pa.CompressedInputStream(pa.OSFile(str(PARAGRAPHS)), "zstd") as f:
            raw = f.read()
    elif shutil.which("zstd"):
        raw = subprocess.run([shutil.which("zstd"), "-dc", str(PARAGRAPHS)], capture_output=True, check=True).stdout
    else:
        pytest.skip("neither pyarrow's zstd codec nor the zstd CLI is here to read demo-paragraphs.jsonl.zst")
    texts = [json.loads(line)["text"].replace("\n", " ") for line in raw.decode("utf-8").splitlines() if line.strip()]
    assert len(texts) == expected["paragraphs"]
    return texts + expected["others"], expected["top1"]


@pytest.fixture(scope="session")
def sample_texts():
    """Short English texts, one empty and one non-ASCII: what most input-form tests embed."""
    return ["cheap flights to paris", "", "the quick brown fox jumps over the lazy dog", "naïve café 東京 Привет",
            "how do I mount a disk on linux", "kernel panic after the update", "a", "bake the bread with garlic",
            "the team scored a late goal", "compile the kernel code on the server"]


def unit(m: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float64)."""
    m = np.asarray(m, dtype=np.float64)
    return m / np.linalg.norm(m, axis=-1, keepdims=True)
