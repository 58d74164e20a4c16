"""Unit tests of tools/lexel_tools.py (standard library; the .zst cases run where zstandard is installed).

  python3 tools/test_lexel_tools.py          (or tools/.venv/bin/python, which has zstandard)
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lexel_tools as lt  # noqa: E402

try:
    import zstandard
except ImportError:
    zstandard = None


class Corpus(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.rows = [{"id": i, "text": f"text {i} é"} for i in range(10)]
        self.plain = os.path.join(self.dir.name, "rows.jsonl")
        lt.write_jsonl(self.plain, self.rows)

    def tearDown(self):
        self.dir.cleanup()

    def test_slices(self):
        self.assertEqual(list(lt.read_jsonl(self.plain)), self.rows)
        self.assertEqual(list(lt.read_jsonl(self.plain, "text", start=3, limit=2)), ["text 3 é", "text 4 é"])
        self.assertEqual(list(lt.read_jsonl(self.plain, start=8, limit=5)), self.rows[8:])
        self.assertEqual(list(lt.read_jsonl(self.plain, limit=0)), [])
        self.assertEqual(len(list(lt.read_lines(self.plain, start=9))), 1)

    def test_errors_name_the_line(self):
        with open(self.plain, "a") as f:
            f.write("\n" + json.dumps({"text": 5}) + "\n")
        with self.assertRaisesRegex(ValueError, r"rows.jsonl:11: empty line"):
            list(lt.read_jsonl(self.plain, "text", start=10))
        with self.assertRaisesRegex(ValueError, r"rows.jsonl:12: field 'text' is not a string"):
            list(lt.read_jsonl(self.plain, "text", start=11))

    @unittest.skipIf(zstandard is None, "zstandard not installed")
    def test_zst_reads_as_plain(self):
        zst = self.plain + ".zst"
        with open(self.plain, "rb") as f:
            lt.write_bytes(zst, zstandard.ZstdCompressor().compress(f.read()))
        self.assertEqual(list(lt.read_jsonl(zst, start=2, limit=3)), self.rows[2:5])


class Writes(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "out.txt")

    def tearDown(self):
        self.dir.cleanup()

    def test_replaces_and_leaves_no_temp(self):
        lt.write_text(self.path, "old")
        lt.write_text(self.path, "new")
        with open(self.path) as f:
            self.assertEqual(f.read(), "new")
        self.assertEqual(os.listdir(self.dir.name), ["out.txt"])

    def test_failure_keeps_the_old_file(self):
        lt.write_text(self.path, "old")
        with self.assertRaises(RuntimeError):
            with lt.atomic_open(self.path) as f:
                f.write("half")
                raise RuntimeError("stop")
        with open(self.path) as f:
            self.assertEqual(f.read(), "old")
        self.assertEqual(os.listdir(self.dir.name), ["out.txt"])

    def test_npy_keeps_the_name(self):
        try:
            import numpy as np
        except ImportError:
            self.skipTest("numpy not installed")
        path = os.path.join(self.dir.name, "x.tmp")
        lt.save_npy(path, np.arange(3))
        self.assertEqual(np.load(path).tolist(), [0, 1, 2])
        self.assertEqual(os.listdir(self.dir.name), ["x.tmp"])


class Cache(unittest.TestCase):
    def test_built_once_per_key(self):
        with tempfile.TemporaryDirectory() as d:
            path, calls = os.path.join(d, "a.txt"), []

            def build(tmp):
                calls.append(tmp)
                lt.write_text(tmp, str(len(calls)))
                return {"n": len(calls)}
            self.assertEqual(lt.cached_file(path, ["k", 1], build)["n"], 1)
            self.assertEqual(lt.cached_file(path, ("k", 1), build)["n"], 1)   # tuple == list once stored
            self.assertEqual(lt.cached_file(path, ["k", 2], build)["n"], 2)
            self.assertTrue(calls[0].endswith(".txt") and calls[0] != path)
            os.remove(path + ".json")                                           # no metadata: built again
            self.assertEqual(lt.cached_file(path, ["k", 2], build)["n"], 3)
            self.assertEqual(sorted(os.listdir(d)), ["a.txt", "a.txt.json"])


class Sections(unittest.TestCase):
    def test_replace_insert_append(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "README.md")
            lt.write_text(path, "# T\n\n## A\n\na\n\n## C\n\nc\n")
            lt.replace_section(path, "## A\n\nA2\n")
            lt.replace_section(path, "## B\n\nb\n", before="## C")
            lt.replace_section(path, "## D\n\nd\n")
            with open(path) as f:
                self.assertEqual(f.read(), "# T\n\n## A\n\nA2\n\n## B\n\nb\n\n## C\n\nc\n\n## D\n\nd\n")


if __name__ == "__main__":
    unittest.main()
