"""Unit tests of utils/text.py: the vectorizer, lengths, the tf.data pipeline, the metrics, and bad inputs."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from utils import text

TEXTS = ["The cat sat on the mat.", "A dog!", "The dog ate the cat's dinner, then slept", "Mat, mat, MAT"]
LABELS = [0, 1, 1, 0]


# ------------------------------------------------------------------------------------------- vectorizer


def test_make_vectorizer_right_pads_and_truncates():
    vectorizer = text.make_vectorizer(TEXTS, max_tokens=50, sequence_length=5)
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"] and vocabulary[2] == "the"  # padding, unknown, most frequent
    ids = vectorizer(["a dog", "the cat sat on the mat today"]).numpy()  # (2, 5)
    assert ids.shape == (2, 5)
    assert ids[0, 2:].tolist() == [0, 0, 0] and (ids[0, :2] > 1).all()  # right-padded
    assert [vocabulary[i] for i in ids[1]] == ["the", "cat", "sat", "on", "the"]  # the first 5 tokens kept


def test_make_vectorizer_unknown_words_and_vocabulary_size():
    vectorizer = text.make_vectorizer(TEXTS, max_tokens=4, sequence_length=3)
    assert vectorizer.vocabulary_size() == 4  # padding, [UNK] and the two most frequent tokens
    assert vectorizer(["zebra"]).numpy().tolist() == [[1, 0, 0]]


def test_make_vectorizer_bag_of_words_modes():
    multi_hot = text.make_vectorizer(TEXTS, max_tokens=20, output_mode="multi_hot")
    vector = multi_hot(["mat mat mat"]).numpy()  # (1, vocabulary): fewer distinct tokens than max_tokens
    assert vector.shape == (1, multi_hot.vocabulary_size()) and vector.sum() == 1.0
    tf_idf = text.make_vectorizer(TEXTS, max_tokens=20, output_mode="tf_idf")
    assert tf_idf(["mat mat"]).numpy().max() > tf_idf(["mat"]).numpy().max() > 0


@pytest.mark.parametrize("kwargs, error, match", [
    ({"max_tokens": 0}, ValueError, "max_tokens must be >= 1"),
    ({"max_tokens": 2}, ValueError, "max_tokens must be >= 3"),
    ({"max_tokens": 10.5}, TypeError, "max_tokens must be an int"),
    ({"max_tokens": True}, TypeError, "max_tokens must be an int"),
    ({"max_tokens": 10, "sequence_length": 0}, ValueError, "sequence_length must be >= 1"),
    ({"max_tokens": 10, "output_mode": "one_hot"}, ValueError, "output_mode must be one of"),
    ({"max_tokens": 10, "output_mode": "tf_idf", "sequence_length": 5}, ValueError, "output_mode='int' only"),
])
def test_make_vectorizer_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        text.make_vectorizer(TEXTS, **kwargs)


def build_dataset(texts):
    """Return text_dataset of `texts` with one label per text, on a vectorizer of the module's TEXTS."""
    vectorizer = text.make_vectorizer(TEXTS, max_tokens=50, sequence_length=6)
    return text.text_dataset(texts, [0, 1], vectorizer)


@pytest.mark.parametrize("function", [lambda texts: text.make_vectorizer(texts, max_tokens=10),
                                      text.sequence_lengths, build_dataset],
                         ids=["make_vectorizer", "sequence_lengths", "text_dataset"])
@pytest.mark.parametrize("texts, error, match", [
    ("one string", TypeError, "texts must be a sequence of strings, not one string"),
    (None, TypeError, "texts must be a sequence of strings, got None"),
    ([], ValueError, "texts must be a non-empty sequence"),
    (["fine", None], TypeError, r"texts\[1\] is None; expected a str"),
    (["fine", 3], TypeError, r"texts\[1\] is a int 3; expected a str"),
    ([["nested"], ["list"]], TypeError, r"texts\[0\] is a list \['nested'\]; expected a str"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, r"texts\[0\] is a ndarray"),
])
def test_texts_are_checked(function, texts, error, match):
    with pytest.raises(error, match=match):
        function(texts)


# -------------------------------------------------------------------------------------------- lengths


def test_sequence_lengths_follow_the_standardisation():
    lengths = text.sequence_lengths(["The cat , sat .", "", "  many   spaces here "])
    assert lengths.tolist() == [3, 0, 3]  # a lone "," or "." is not a token
    assert lengths.dtype == np.int64


def test_sequence_lengths_match_the_vectorizer():
    vectorizer = text.make_vectorizer(TEXTS, max_tokens=100, sequence_length=20)
    ids = vectorizer(TEXTS).numpy()
    np.testing.assert_array_equal((ids != 0).sum(axis=1), text.sequence_lengths(TEXTS))


# ------------------------------------------------------------------------------------------- datasets


def test_text_dataset_shapes_order_and_cardinality():
    vectorizer = text.make_vectorizer(TEXTS, max_tokens=50, sequence_length=6)
    data = text.text_dataset(TEXTS, LABELS, vectorizer, batch_size=3)
    assert data.cardinality().numpy() == 2  # known, so Keras knows the steps per epoch
    batches = list(data.as_numpy_iterator())
    assert [x.shape for x, _ in batches] == [(3, 6), (1, 6)]
    np.testing.assert_array_equal(np.concatenate([x for x, _ in batches]), vectorizer(TEXTS).numpy())
    np.testing.assert_array_equal(np.concatenate([y for _, y in batches]), LABELS)  # unshuffled: same order


def test_text_dataset_shuffles_pairs_together_and_is_seeded():
    texts = [f"word{i}" for i in range(40)]
    vectorizer = text.make_vectorizer(texts, max_tokens=50, sequence_length=1)
    labels = np.arange(40)
    ids_of = {int(vectorizer([t]).numpy()[0, 0]): i for i, t in enumerate(texts)}

    def epoch(seed):
        data = text.text_dataset(texts, labels, vectorizer, batch_size=8, shuffle=True, seed=seed)
        x, y = (np.concatenate(part) for part in zip(*data.as_numpy_iterator(), strict=True))
        assert [ids_of[i] for i in x[:, 0]] == y.tolist()  # each text keeps its own label
        return y

    first = epoch(1)
    assert sorted(first) == list(range(40)) and first.tolist() != list(range(40))
    np.testing.assert_array_equal(first, epoch(1))


def test_text_dataset_trains_a_model():
    vectorizer = text.make_vectorizer(TEXTS, max_tokens=50, sequence_length=6)
    data = text.text_dataset(TEXTS, LABELS, vectorizer, batch_size=2, shuffle=True)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((None,), dtype="int64"),
                              keras.layers.Embedding(50, 4, mask_zero=True),
                              keras.layers.LSTM(4), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(data, epochs=2, verbose=0, shuffle=False)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_text_dataset_rejects_bad_inputs():
    vectorizer = text.make_vectorizer(TEXTS, max_tokens=50, sequence_length=6)
    with pytest.raises(ValueError, match="one entry per text"):
        text.text_dataset(TEXTS, LABELS[:3], vectorizer)
    with pytest.raises(TypeError, match="labels must hold integers"):
        text.text_dataset(TEXTS, [0.0, 1.0, 1.0, 0.0], vectorizer)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, inf\)"):
        text.text_dataset(TEXTS, [0, 1, -1, 0], vectorizer)
    with pytest.raises(TypeError, match="TextVectorization"):
        text.text_dataset(TEXTS, LABELS, lambda x: x)
    with pytest.raises(ValueError, match="adapt"):
        text.text_dataset(TEXTS, LABELS, keras.layers.TextVectorization())
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        text.text_dataset(TEXTS, LABELS, vectorizer, batch_size=0)


# -------------------------------------------------------------------------------------------- metrics


def test_confusion_matrix_by_hand():
    counts = text.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert text.confusion_matrix([0, 1], [1, 0], num_classes=4).shape == (4, 4)


def test_macro_f1_by_hand():
    truth = [0, 0, 0, 0, 1, 1]
    # class 0: TP 3, FP 1, FN 1 -> 6/8; class 1: TP 1, FP 1, FN 1 -> 2/4; mean 0.625
    assert text.macro_f1(truth, [0, 0, 0, 1, 1, 0]) == pytest.approx(0.625)
    # majority: class 0 -> 8/10, class 1 -> 0
    assert text.macro_f1(truth, [0] * 6) == pytest.approx(0.4)
    assert text.macro_f1([2, 1, 0], [2, 1, 0]) == 1.0
    # a class that never occurs counts as 0 when num_classes names it
    assert text.macro_f1([0, 1], [0, 1], num_classes=4) == pytest.approx(0.5)


def test_macro_f1_agrees_with_keras():
    rng = np.random.default_rng(0)
    truth, guess = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    keras_f1 = keras.metrics.F1Score(average="macro")
    keras_f1.update_state(np.eye(4)[truth], np.eye(4)[guess])
    assert text.macro_f1(truth, guess, 4) == pytest.approx(float(keras_f1.result()), abs=1e-6)


@pytest.mark.parametrize("y_true, y_pred, num_classes, error, match", [
    ([0, 1], [0], None, ValueError, "same length"),
    ([], [], None, ValueError, "non-empty"),
    ([[1, 0], [0, 1]], [[1, 0], [0, 1]], None, ValueError, "not one-hot"),
    ([0.2, 0.8], [0, 1], None, TypeError, "y_true must hold integers, got dtype float64"),
    ([0, 1], [0, None], None, TypeError, "y_pred must hold integers, got dtype object"),
    ([0, -1], [0, 1], None, ValueError, r"y_true must lie in \[0, inf\), got -1..0"),
    ([0, 3], [0, 1], 3, ValueError, "out of range"),
    ([0, 1], [0, 1], 0, ValueError, "num_classes must be >= 1"),
])
def test_metrics_reject_bad_labels(y_true, y_pred, num_classes, error, match):
    for metric in (text.confusion_matrix, text.macro_f1):
        with pytest.raises(error, match=match):
            metric(y_true, y_pred, num_classes)


def test_vectorize_runs_on_the_cpu_and_returns_numpy():
    vectorizer = text.make_vectorizer(["the cat sat", "a dog"], 10, sequence_length=4)
    ids = text.vectorize(vectorizer, ["the dog", "cat"])
    assert isinstance(ids, np.ndarray) and ids.shape == (2, 4)
    np.testing.assert_array_equal(ids, vectorizer(["the dog", "cat"]).numpy())
    with pytest.raises(TypeError, match="TextVectorization"):
        text.vectorize(lambda x: x, ["a"])
    with pytest.raises(ValueError):
        text.vectorize(vectorizer, [])
