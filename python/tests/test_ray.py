"""examples/ray_curate.py on a local Ray cluster (loopback, started and stopped by the example itself): its Parquet
output equals what the single-process command line gives for the same documents (embeddings bit for bit, labels and
scores from `lexel predict-prob`, the same rows kept)."""
import json
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LEXEL = os.path.join(ROOT, ".build", "release", "lexel")
LID = os.path.join(ROOT, "Tests", "LexelClassifierTests", "Fixtures", "lid.176.ftz")
EXAMPLE = os.path.join(ROOT, "examples", "ray_curate.py")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """600 paragraphs of the bundled demo set, plus a few in other languages, as .jsonl."""
    with pa.CompressedInputStream(pa.OSFile(os.path.join(ROOT, "vocab", "demo-paragraphs.jsonl.zst")), "zstd") as f:
        rows = [json.loads(line) for line in f.read().decode().splitlines()[:600]]
    rows += [{"id": 900000 + i, "source": "other", "text": t} for i, t in enumerate([
        "Le chat est assis sur le tapis et regarde la pluie tomber.",
        "Der Hund läuft schnell über die grüne Wiese zum Fluss.",
        "El niño come una manzana roja en el parque de la ciudad.",
    ])]
    path = tmp_path_factory.mktemp("ray") / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path, rows


@pytest.mark.skipif(not os.path.exists(LEXEL), reason="needs the CLI (make release) for the expected output")
def test_ray_example_equals_the_command_line(corpus, tmp_path):
    path, rows = corpus
    out = tmp_path / "out"
    command = [sys.executable, EXAMPLE, str(path), str(out), "--classifier", LID, "--keep", "__label__en",
               "--min-score", "0.5", "--concurrency", "2", "--batch-size", "128"]
    try:
        # ~20 s on 2 CPUs; a pipeline whose actors cannot all be placed would wait forever, so bound it
        run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as e:
        # the killed driver's local cluster (raylet, GCS) must not outlive the test
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "ray"), "stop", "--force"], timeout=60)
        pytest.fail(f"the example did not finish in 300 s: {(e.stderr or b'')[-3000:]!r}")
    assert run.returncode == 0, run.stderr[-3000:]
    table = pq.read_table(out)
    assert set(table.column_names) >= {"id", "text", "embeddings", "label", "score"}

    # The command line on the same documents
    npy = tmp_path / "cli.npy"
    subprocess.run([LEXEL, "embed", str(path), "--output", str(npy), "--quiet"], check=True, timeout=300)
    cli_vectors = np.load(npy)
    texts = "".join(r["text"].replace("\n", " ") + "\n" for r in rows)
    predicted = subprocess.run([LEXEL, "predict-prob", LID, "-", "1"], input=texts, capture_output=True, text=True,
                               check=True, timeout=300).stdout.splitlines()
    assert len(predicted) == len(rows)
    expected = {}
    for r, v, line in zip(rows, cli_vectors, predicted):
        label, score = line.split()
        if label == "__label__en" and float(score) >= 0.5:
            expected[r["id"]] = (v, label, float(score))
    assert 100 < len(expected) < len(rows), "the filter keeps some rows and drops the other languages"

    got_ids = table.column("id").to_pylist()
    assert sorted(got_ids) == sorted(expected), "the same rows kept"
    embeddings = np.stack(table.column("embeddings").to_numpy(zero_copy_only=False))
    for i, id_ in enumerate(got_ids):
        v, label, score = expected[id_]
        assert np.array_equal(embeddings[i].astype(np.float32), v), f"row {id_}: embedding differs from `lexel embed`"
        assert table.column("label")[i].as_py() == label
        assert abs(table.column("score")[i].as_py() - score) < 1e-5
