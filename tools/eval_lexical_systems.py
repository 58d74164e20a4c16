"""Data sets and the embedding systems of tools/eval_lexical.py (see its docstring): Lexel (`lexel embed`), the
all-MiniLM-L6-v2 teacher (tools/teacher.py), mean Lexel word vectors and scikit-learn TF-IDF. Vectors of the slow
systems are cached under the work folder (lexel_tools.cached_file), keyed by a hash of the texts."""
import hashlib
import os
import pickle
import re
import subprocess
import time

import numpy as np

from lexel_tools import DATA, ROOT, cached_array, cached_file, log, read_jsonl, write_jsonl
PARAGRAPHS = os.path.join(DATA, "corpus", "paragraphs-en.jsonl.zst")
WORDS = os.path.join(DATA, "corpus", "words-en.txt.zst")
TOKEN_RE = re.compile(r"[a-z]+")


# ---------------------------------------------------------------- data


def read_fasttext(path):
    labels, texts = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            label, _, text = line.partition(" ")
            if not label.startswith("__label__"):
                raise ValueError(f"{path}:{n}: no __label__ prefix")
            labels.append(label[len("__label__"):])
            texts.append(text)
    return labels, texts


def texts_hash(texts):
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def normalise(x):
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class TextSet:
    """A named list of texts, written once as JSONL ({"text": ...} per line) for the command-line embedders."""

    def __init__(self, name, texts, work):
        self.name, self.texts = name, texts
        self.key = f"{name}-{texts_hash(texts)}"
        self.jsonl = os.path.join(work, "texts", self.key + ".jsonl")
        if not os.path.exists(self.jsonl):
            os.makedirs(os.path.dirname(self.jsonl), exist_ok=True)
            write_jsonl(self.jsonl, ({"text": t} for t in texts))


# ---------------------------------------------------------------- systems


class Lexel:
    name = "lexel"

    def __init__(self, binary, model, threads):
        self.binary, self.model, self.threads = binary, model, threads
        self.timing = {}

    def embed(self, ts, work):
        out = os.path.join(work, "lexel-current.npy")
        cmd = [self.binary, "embed", "--model", self.model, "--field", "text", "--threads", str(self.threads),
               "--quiet", "--output", out, ts.jsonl]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        seconds = time.perf_counter() - t0
        x = np.load(out)
        os.remove(out)
        if x.shape[0] != len(ts.texts):
            raise RuntimeError(f"lexel embed gave {x.shape[0]} rows for {len(ts.texts)} texts ({ts.name})")
        self.timing[ts.name] = {"docs": len(ts.texts), "seconds": seconds}
        return normalise(x)


class Teacher:
    name = "teacher"

    def __init__(self, python, threads, work):
        self.python, self.threads, self.work = python, threads, work
        self.timing = {}

    def embed(self, ts, work):
        path = os.path.join(work, "teacher", ts.key + ".npy")
        os.makedirs(os.path.dirname(path), exist_ok=True)

        def build(target):
            log(f"teacher: embedding {ts.name} ({len(ts.texts)} texts)")
            subprocess.run([self.python, os.path.join(ROOT, "tools", "teacher.py"), ts.jsonl, target, "--field",
                            "text", "--dtype", "f32", "--threads", str(self.threads)], check=True)
            return {"docs": len(ts.texts)}
        self.timing[ts.name] = cached_file(path, ts.key, build)   # seconds: the teacher.py process
        x = np.load(path)
        assert x.shape[0] == len(ts.texts)
        return normalise(x)


class MeanWordVectors:
    name = "meanvec"

    def __init__(self, binary, threads, work):
        self.binary, self.threads = binary, threads
        self.prefix = os.path.join(work, "words-sg100")
        self.timing = {}
        cmd = [binary, "skipgram", "-input", WORDS, "-output", self.prefix, "-dim", "100", "-epoch", "5",
               "-minCount", "5", "-thread", str(threads), "-verbose", "1"]

        def train(_):   # writes PREFIX.bin and PREFIX.vec itself
            log("meanvec: training skip-gram word vectors: " + " ".join(cmd))
            subprocess.run(cmd, check=True)
            return {"command": cmd}
        key = {"corpus": os.path.realpath(WORDS), "options": cmd[6:]}   # cmd[6:]: from -dim on
        self.train_seconds = cached_file(self.prefix + ".bin", key, train, atomic=False)["seconds"]
        st = os.stat(self.prefix + ".bin")
        self.model_key = hashlib.sha256(f"{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:8]

    @staticmethod
    def tokens(text):
        return TOKEN_RE.findall(text.lower())

    def word_vectors(self, words):
        """{word: vector} from `lexel print-word-vectors` (one word per line on stdin)."""
        proc = subprocess.run([self.binary, "print-word-vectors", self.prefix + ".bin"],
                              input="\n".join(words) + "\n", capture_output=True, text=True, check=True)
        vectors = {}
        for line in proc.stdout.splitlines():
            parts = line.rstrip().split(" ")
            vectors[parts[0]] = np.array(parts[1:], dtype=np.float32)
        missing = [w for w in words if w not in vectors]
        if missing:
            raise RuntimeError(f"print-word-vectors gave no vector for {len(missing)} words, e.g. {missing[:5]}")
        return vectors

    def embed(self, ts, work):
        key = f"{ts.key}-{self.model_key}"
        path = os.path.join(work, "meanvec", key + ".npy")
        os.makedirs(os.path.dirname(path), exist_ok=True)

        def compute():
            t0 = time.perf_counter()
            toks = [self.tokens(t) for t in ts.texts]
            words = sorted({w for ws in toks for w in ws})
            vectors = self.word_vectors(words)
            dim = len(next(iter(vectors.values())))
            x = np.zeros((len(ts.texts), dim), dtype=np.float32)
            for i, ws in enumerate(toks):
                if ws:
                    x[i] = np.mean([vectors[w] for w in ws], axis=0)
            return x, {"docs": len(ts.texts), "seconds": time.perf_counter() - t0, "distinct_words": len(words),
                       "empty_texts": sum(1 for ws in toks if not ws)}
        x, self.timing[ts.name] = cached_array(path, key, compute)
        return normalise(x)


class TfidfCorpus:
    """TF-IDF with vocabulary + IDF from the whole paragraphs corpus; returns sparse L2-normalised rows."""
    name = "tfidf-corpus"

    def __init__(self, work):
        import sklearn
        from sklearn.feature_extraction.text import TfidfVectorizer
        path = os.path.join(work, f"tfidf-corpus-sklearn{sklearn.__version__}.pkl")
        self.timing = {}

        def fit(target):
            log("tfidf: fitting IDF on the 183,000 corpus paragraphs")
            vectorizer = TfidfVectorizer(lowercase=True, sublinear_tf=True, norm="l2", dtype=np.float32)
            vectorizer.fit(list(read_jsonl(PARAGRAPHS, "text")))
            with open(target, "wb") as f:
                pickle.dump(vectorizer, f)
        cached_file(path, {"sklearn": sklearn.__version__, "corpus": os.path.basename(PARAGRAPHS)}, fit)
        with open(path, "rb") as f:
            self.vectorizer = pickle.load(f)
        self.vocabulary_size = len(self.vectorizer.vocabulary_)

    def embed(self, ts, work):
        t0 = time.perf_counter()
        x = self.vectorizer.transform(ts.texts)
        self.timing[ts.name] = {"docs": len(ts.texts), "seconds": time.perf_counter() - t0,
                                "note": "transform only (IDF fitted beforehand)"}
        return x


def tfidf_task(fit_texts, *transform_sets):
    """TF-IDF fitted on a task's own documents; returns the transformed sets."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    v = TfidfVectorizer(lowercase=True, sublinear_tf=True, norm="l2", dtype=np.float32)
    v.fit(fit_texts)
    return [v.transform(t) for t in transform_sets]
