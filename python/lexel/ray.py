"""Ray Data stages: callable classes for `Dataset.map_batches(..., batch_format="pyarrow", concurrency=N)`.
Each actor opens its model once (in `__init__`) and embeds or classifies whole Arrow batches in place.

    import ray, lexel.ray
    ds = ray.data.read_json("corpus.jsonl")
    ds = ds.map_batches(lexel.ray.Embed, batch_format="pyarrow", concurrency=4, num_cpus=2)
    ds = ds.map_batches(lexel.ray.Classify, fn_constructor_kwargs={"model": "quality.bin"},
                        batch_format="pyarrow", concurrency=4, num_cpus=2)
    ds.filter(expr="label == '__label__hq'").write_parquet("out/")

Batches may also come as dicts of numpy arrays (batch_format="numpy") or pandas DataFrames."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .classifier import Classifier
from .embedder import Embedder


def actor_threads() -> int:
    """The CPUs Ray gave this actor (`num_cpus`), so that actors on one machine do not oversubscribe it; every
    online CPU outside Ray."""
    try:
        import ray
        if ray.is_initialized():
            cpus = ray.get_runtime_context().get_assigned_resources().get("CPU")
            if cpus:
                return max(1, int(round(cpus)))
    except Exception:
        pass
    return 0


def _column(batch: Any, name: str):
    """The text column of a batch (pyarrow Table, dict of numpy arrays or pandas DataFrame)."""
    try:
        import pyarrow as pa
        if isinstance(batch, pa.Table):
            if name not in batch.column_names:
                raise KeyError(f"the batch has no column {name!r} (it has {batch.column_names})")
            return batch.column(name)
    except ImportError:
        pass
    if name not in batch:
        raise KeyError(f"the batch has no column {name!r}")
    col = batch[name]
    return col.to_numpy() if hasattr(col, "to_numpy") else col


def _add(batch: Any, name: str, values: Any, arrow: Any = None):
    """`batch` with column `name` added (or replaced)."""
    try:
        import pyarrow as pa
        if isinstance(batch, pa.Table):
            values = arrow if arrow is not None else pa.array(values)
            if name in batch.column_names:
                return batch.set_column(batch.column_names.index(name), name, values)
            return batch.append_column(name, values)
    except ImportError:
        pass
    if hasattr(batch, "assign"):  # pandas
        return batch.assign(**{name: list(values) if getattr(values, "ndim", 1) > 1 else values})
    batch = dict(batch)
    batch[name] = values
    return batch


class Embed:
    """Adds an embedding column (FixedSizeList<float32> in Arrow, (n, dim) float32 in numpy) computed from a text
    column. `model`: a `.lxm` or Luxical `.npz` (the shipped model when None)."""

    def __init__(self, model: Optional[str] = None, text_column: str = "text", embedding_column: str = "embeddings",
                 threads: Optional[int] = None) -> None:
        self.embedder = Embedder.load(model, threads=actor_threads() if threads is None else threads)
        self.text_column, self.embedding_column = text_column, embedding_column

    def __call__(self, batch: Any) -> Any:
        texts = _column(batch, self.text_column)
        vectors = self.embedder.encode(texts)
        arrow = None
        try:
            import pyarrow as pa
            if isinstance(batch, pa.Table):
                from .embedder import arrow_vectors
                arrow = arrow_vectors(vectors)
        except ImportError:
            pass
        return _add(batch, self.embedding_column, vectors, arrow)


class Classify:
    """Adds the best label and its probability (columns `label` and `score`) of a text column; texts with no label
    of probability >= `threshold` get an empty label and score 0. `model`: a fastText .bin/.ftz or an .lxm with a
    classifier head."""

    def __init__(self, model: str, text_column: str = "text", label_column: str = "label",
                 score_column: str = "score", threshold: float = 0.0, threads: Optional[int] = None) -> None:
        self.classifier = Classifier.load(model, threads=actor_threads() if threads is None else threads)
        self.text_column, self.label_column, self.score_column = text_column, label_column, score_column
        self.threshold = threshold

    def __call__(self, batch: Any) -> Any:
        labels, probs = self.classifier.predict(_column(batch, self.text_column), k=1, threshold=self.threshold)
        batch = _add(batch, self.label_column, np.asarray(labels[:, 0], dtype=str))
        return _add(batch, self.score_column, probs[:, 0])
