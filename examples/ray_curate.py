#!/usr/bin/env python3
"""Curate a JSON Lines corpus with Ray Data and Lexel: embed every document, identify its language (or any fastText
classifier), keep the documents with the wanted label, and write Parquet (the input's columns plus `embeddings`,
`label`, `score`).

Runs on a local Ray cluster started here (`--address` unset), or on an existing cluster (`--address auto`, or
ray://HOST:10001): the same code, with each actor opening the model by path on its own node (install the lexel
wheel on every node and give paths every node can read).

  python examples/ray_curate.py vocab/demo-paragraphs.jsonl.zst out/ \\
      --classifier Tests/LexelClassifierTests/Fixtures/lid.176.ftz --keep __label__en --min-score 0.5
"""
import argparse
import os
import sys
import time

import pyarrow as pa
import pyarrow.compute as pc
import ray

import lexel.ray


def keep(batch: pa.Table, label: str, min_score: float) -> pa.Table:
    """The rows whose label is `label` with a score of at least `min_score` (an Arrow filter, no copies). A plain
    function, so Ray runs it as a task fused with the Parquet writer rather than in an actor of its own."""
    mask = pc.and_(pc.equal(batch["label"], label), pc.greater_equal(batch["score"], min_score))
    return batch.filter(mask)


def actor_cpus(requested: float | None, actors: int) -> float:
    """CPUs per actor: `requested`, or else an even share of half the cluster's CPUs, so that every actor of every
    stage can be placed at once and the read and write tasks still find CPUs (a fixed-size actor pool that cannot
    be placed waits forever)."""
    if requested:
        return requested
    cpus = ray.cluster_resources().get("CPU", 1)
    return max(0.1, min(1.0, cpus / 2 / actors))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="JSON Lines with a text field (.jsonl, or .jsonl.zst)")
    ap.add_argument("output", help="folder for the Parquet files")
    ap.add_argument("--model", help="document model (.lxm or Luxical .npz); default: the shipped one")
    ap.add_argument("--classifier", help="fastText classifier (.bin/.ftz); without it, nothing is filtered")
    ap.add_argument("--keep", default="__label__en", help="label to keep (default %(default)s)")
    ap.add_argument("--min-score", type=float, default=0.0, help="least probability of that label")
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--concurrency", type=int, default=2, help="actors per stage")
    ap.add_argument("--num-cpus", type=float, help="CPUs per actor (its embedding threads; default: an even share "
                    "of half the cluster's CPUs, at most 1)")
    ap.add_argument("--batch-size", type=int, default=1024, help="rows per batch")
    ap.add_argument("--address", help="an existing Ray cluster (auto, ray://...); default: start a local one")
    args = ap.parse_args()

    if args.address:
        ray.init(address=args.address)
    else:
        ray.init(num_cpus=max(2, os.cpu_count() or 2), include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    start = time.time()
    read_args = {"arrow_open_stream_args": {"compression": "zstd"}} if args.input.endswith(".zst") else {}
    ds = ray.data.read_json(args.input, **read_args)
    stages = 2 if args.classifier else 1
    stage = dict(batch_format="pyarrow", concurrency=args.concurrency, batch_size=args.batch_size,
                 num_cpus=actor_cpus(args.num_cpus, stages * args.concurrency))
    ds = ds.map_batches(lexel.ray.Embed, fn_constructor_kwargs={"model": args.model, "text_column": args.text_column},
                        **stage)
    if args.classifier:
        ds = ds.map_batches(lexel.ray.Classify,
                            fn_constructor_kwargs={"model": args.classifier, "text_column": args.text_column}, **stage)
        ds = ds.map_batches(keep, fn_kwargs={"label": args.keep, "min_score": args.min_score}, batch_format="pyarrow")
    ds.write_parquet(args.output)
    written = ray.data.read_parquet(args.output).count()
    print(f"wrote {written} rows to {args.output} in {time.time() - start:.1f} s", file=sys.stderr)
    ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
