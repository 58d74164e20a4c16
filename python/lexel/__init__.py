"""Lexel: fast text embeddings, classification, word vectors and k-means on CPUs.

    import lexel
    model = lexel.Embedder.load()                 # the shipped document model
    vectors = model.encode(["some text", "more"])  # (2, 1408) float32, unit rows
    labels, probs = lexel.Classifier.load("model.bin").predict(texts, k=1)
    lexel.Vectors.open("words.lxv").most_similar("king")
    lexel.kmeans(vectors, k=100)

Every call runs in Lexel's native library with the GIL released; handles pickle as their paths (for Ray and
multiprocessing). `lexel.ray` has Ray Data stages."""
from ._native import (ArgumentError, ClosedError, FileError, InputError, KindError, LexelError, library_path,
                      version)
from .classifier import Classifier
from .cluster import KMeansResult, kmeans
from .embedder import Embedder
from .vectors import Vectors

__version__ = "0.5.0"

__all__ = ["Embedder", "Classifier", "Vectors", "kmeans", "KMeansResult", "LexelError", "ArgumentError",
           "FileError", "ClosedError", "InputError", "KindError", "version", "library_path"]
