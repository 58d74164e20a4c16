"""lexel.Classifier: fastText 0.9.3's own predictions (Tests/LexelClassifierTests/Fixtures), k and threshold,
input forms, pickling and closing."""
from __future__ import annotations

import pickle
import threading

import numpy as np
import pyarrow as pa
import pytest

import lexel
from conftest import CLASSIFIER_FIXTURES, CLASSIFIER_MODELS

# fastText's predictions are exp(log(p + 1e-5)): up to 1e-5 above the probability itself
FASTTEXT_OFFSET = 1e-5


def model_path(name: str) -> str:
    return str(CLASSIFIER_FIXTURES / f"{name}.bin")


@pytest.mark.parametrize("name", CLASSIFIER_MODELS)
def test_predictions_equal_fasttexts(name, classifier_expected):
    want = classifier_expected["models"][name]
    queries = classifier_expected["queries"]
    with lexel.Classifier.load(model_path(name)) as clf:
        assert clf.labels == want["labels"]
        k = len(clf.labels)
        labels, probs = clf.predict(queries, k=k)
    assert labels.shape == probs.shape == (len(queries), k) and probs.dtype == np.float32
    for q, query in enumerate(queries):
        expected = want["predictions"][q]
        # the same labels in the same order, ties included (as the Swift suite asserts)
        assert list(labels[q]) == [label for label, _ in expected], f"{name} {query!r}"
        for got, (label, p) in zip(probs[q], expected):
            assert abs(float(got) - p) <= FASTTEXT_OFFSET + 5e-6, f"{name} {query!r} {label}: {got} vs fastText {p}"
        assert np.all(np.diff(probs[q]) <= 0), "best first"


@pytest.mark.parametrize("name", CLASSIFIER_MODELS)
def test_top1_and_ids_agree(name, classifier_expected):
    queries = classifier_expected["queries"]
    clf = lexel.Classifier.load(model_path(name))
    labels, probs = clf.predict(queries, k=1)
    ids, id_probs = clf.predict_ids(queries, k=1)
    assert labels.shape == (len(queries), 1) and ids.dtype == np.int32
    np.testing.assert_array_equal(probs, id_probs)
    assert [clf.labels[i] for i in ids[:, 0]] == list(labels[:, 0])
    for q, expected in enumerate(classifier_expected["models"][name]["predictions"]):
        assert abs(float(probs[q, 0]) - expected[0][1]) <= FASTTEXT_OFFSET + 5e-6
        if expected[0][1] != expected[1][1]:  # with a tie, fastText's heap keeps either label at k=1, as Lexel's
            assert labels[q, 0] == expected[0][0], queries[q]


def test_k_beyond_the_labels_and_threshold(classifier_expected):
    queries = classifier_expected["queries"][:3]
    want = classifier_expected["models"]["ns"]["predictions"]
    clf = lexel.Classifier.load(model_path("ns"))
    labels, probs = clf.predict(queries, k=5)
    assert labels.shape == (3, 5)
    for q in range(3):
        assert list(labels[q, :3]) == [label for label, _ in want[q]]
        assert list(labels[q, 3:]) == ["", ""] and list(probs[q, 3:]) == [0.0, 0.0]
    ids, _ = clf.predict_ids(queries, k=5)
    assert (ids[:, 3:] == -1).all() and (ids[:, :3] >= 0).all()

    # ns gives each of these queries one label above 0.5 and the others below 0.1
    labels, probs = clf.predict(queries, k=3, threshold=0.5)
    assert list(labels[:, 0]) == [want[q][0][0] for q in range(3)]
    assert (probs[:, 0] >= 0.5).all()
    assert (labels[:, 1:] == "").all() and (probs[:, 1:] == 0).all()
    ids, id_probs = clf.predict_ids(queries, k=3, threshold=0.5)
    assert (ids[:, 1:] == -1).all() and (ids[:, 0] >= 0).all()

    labels, probs = clf.predict(queries, k=2, threshold=1.01)
    assert (labels == "").all() and (probs == 0).all()
    ids, _ = clf.predict_ids(queries, k=2, threshold=1.01)
    assert (ids == -1).all()


def test_bad_k_is_a_value_error():
    clf = lexel.Classifier.load(model_path("ns"))
    for k in (0, -1, 1.5, "2"):
        with pytest.raises(ValueError, match="k must be"):
            clf.predict(["text"], k=k)


def test_single_str_and_input_forms(classifier_expected):
    queries = classifier_expected["queries"]
    clf = lexel.Classifier.load(model_path("softmax-bigrams"))
    labels, probs = clf.predict(queries, k=2)
    one_labels, one_probs = clf.predict(queries[2], k=2)
    assert one_labels.shape == one_probs.shape == (2,)
    assert list(one_labels) == list(labels[2])
    np.testing.assert_array_equal(one_probs, probs[2])
    for texts in (tuple(queries), np.array(queries), pa.array(queries), pa.array(queries, pa.large_string()),
                  pa.chunked_array([pa.array(queries[:4]), pa.array(queries[4:])]),
                  pa.array(["skip"] + queries).slice(1), (q for q in queries)):
        got_labels, got_probs = clf.predict(texts, k=2)
        np.testing.assert_array_equal(got_labels, labels)
        np.testing.assert_array_equal(got_probs, probs)
    empty_labels, empty_probs = clf.predict([], k=2)
    assert empty_labels.shape == empty_probs.shape == (0, 2)


def test_invalid_utf8_names_the_text():
    clf = lexel.Classifier.load(model_path("ns"))
    with pytest.raises(lexel.InputError, match=r"\btext 1\b"):
        clf.predict(["ok", b"\xff\xfe"])
    with pytest.raises(TypeError, match=r"\btext 0\b"):
        clf.predict([7])


def test_language_identification_equals_fasttexts(lid_texts):
    texts, top1 = lid_texts
    clf = lexel.Classifier.load(str(CLASSIFIER_FIXTURES / "lid.176.ftz"))
    assert len(clf.labels) == 176 and "__label__en" in clf.labels
    labels, probs = clf.predict(texts, k=1)
    mismatches = [(i, labels[i, 0], float(probs[i, 0]), label, p) for i, (label, p) in enumerate(top1)
                  if labels[i, 0] != label or abs(float(probs[i, 0]) - min(p, 1)) > 1e-4]
    assert mismatches == [], f"{len(mismatches)} of {len(texts)} lines differ from fastText, first: {mismatches[:5]}"


def test_threads_share_one_classifier(lid_texts):
    texts = lid_texts[0][:1000]
    clf = lexel.Classifier.load(str(CLASSIFIER_FIXTURES / "lid.176.ftz"))
    want_labels, want_probs = clf.predict(texts, k=3, threads=1)
    results = [None] * 4

    def work(i):
        results[i] = clf.predict(texts[i * 100:] + texts[:i * 100], k=3, threads=1)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, (labels, probs) in enumerate(results):
        np.testing.assert_array_equal(np.roll(labels, i * 100, axis=0), want_labels)
        np.testing.assert_array_equal(np.roll(probs, i * 100, axis=0), want_probs)


def test_labels_pickle_and_close(classifier_expected):
    queries = classifier_expected["queries"]
    clf = lexel.Classifier.load(model_path("hs-subwords"), threads=1)
    names = clf.labels
    names.append("changed")  # a copy: the classifier's labels stay
    assert clf.labels == classifier_expected["models"]["hs-subwords"]["labels"]
    copy = pickle.loads(pickle.dumps(clf))
    assert isinstance(copy, lexel.Classifier) and copy.path == clf.path and copy.threads == 1
    want = clf.predict(queries, k=3)
    got = copy.predict(queries, k=3)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    with copy:
        pass
    assert copy.closed and not clf.closed
    for use in (lambda: copy.predict(queries), lambda: copy.predict_ids(queries), lambda: copy.labels):
        with pytest.raises(lexel.ClosedError):
            use()
    clf.close()
    with pytest.raises(lexel.ClosedError):
        clf.predict("text")
