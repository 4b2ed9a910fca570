"""Unit tests of utils/metrics.py: known values, edge cases and bad arguments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sacrebleu

from utils import metrics


def test_exact_match():
    assert metrics.exact_match(["2019-04-22", "2019-04-23"], ["2019-04-22", "2019-04-22"]) == 0.5
    assert metrics.exact_match(["a"], ["a"]) == 1.0
    assert metrics.exact_match(["a "], ["a"]) == 0.0  # character for character


def test_word_accuracy_compares_tokens():
    predictions = ["K AE1 T", "D AO1  G", "B ER1 D"]
    references = ["K AE1 T", "D AO1 G", "B ER1 D Z"]
    assert metrics.word_accuracy(predictions, references) == pytest.approx(2 / 3)


def test_edit_distances_are_over_tokens():
    distances = metrics.edit_distances(["K AE1 T", "K AE1 T S", "", "AH0 B"],
                                       ["K AE1 T", "K AE1 T", "K", "B AH0"])
    np.testing.assert_array_equal(distances, [0, 1, 1, 2])
    # "AE1" vs "AE0" is one substitution of a token, not a character edit inside it
    assert metrics.edit_distances(["K AE0 T"], ["K AE1 T"]).tolist() == [1]


def test_phoneme_error_rate():
    # 1 substitution + 1 deletion over 3 + 4 reference phonemes
    per = metrics.phoneme_error_rate(["K AH0 T", "D AO1 G"], ["K AE1 T", "D AO1 G Z"])
    assert per == pytest.approx(2 / 7)
    assert metrics.phoneme_error_rate(["A B C D E F"], ["A"]) == 5.0  # can exceed 1


def test_phoneme_error_rate_needs_reference_tokens():
    with pytest.raises(ValueError, match="no token"):
        metrics.phoneme_error_rate(["A"], [" "])


def test_corpus_bleu_matches_sacrebleu_and_its_extremes():
    references = ["In the beginning, God created the heavens and the earth.",
                  "God said, “Let there be light.”"]
    predictions = ["in the beginning, god made the heavens and the earth.",
                   "and god said, let there be light."]
    expected = sacrebleu.corpus_bleu(predictions, [references], lowercase=True).score
    assert metrics.corpus_bleu(predictions, references) == pytest.approx(expected)
    assert metrics.corpus_bleu(references, references) == pytest.approx(100.0)
    assert metrics.corpus_bleu(["xx yy zz ww"] * 2, references) == 0.0
    # case matters only with lowercase=False
    upper = [r.upper() for r in references]
    assert metrics.corpus_bleu(upper, references) == pytest.approx(100.0)
    assert metrics.corpus_bleu(upper, references, lowercase=False) < 10


def test_score_by_length():
    lengths = [2, 3, 5, 9, 12]
    predictions = ["a", "b", "c", "d", "e"]
    references = ["a", "x", "c", "d", "y"]
    table = metrics.score_by_length(lengths, predictions, references, metrics.exact_match,
                                    bins=[0, 4, 8, 12, 20])
    assert isinstance(table, pd.DataFrame)
    assert table["bucket"].tolist() == ["0-3", "4-7", "8-11", "12-19"]
    assert table["n"].tolist() == [2, 1, 1, 1]
    np.testing.assert_allclose(table["score"], [0.5, 1.0, 1.0, 0.0])


def test_score_by_length_empty_bucket_and_outside():
    table = metrics.score_by_length([1, 100], ["a", "b"], ["a", "b"], metrics.exact_match, bins=[0, 5, 10])
    assert table["n"].tolist() == [1, 0]  # 100 is outside every bucket
    assert table["score"].iloc[0] == 1.0 and np.isnan(table["score"].iloc[1])


def test_score_by_length_with_bleu():
    references = ["the cat sat on the mat .", "a dog ran in the park today ."]
    table = metrics.score_by_length([6, 7], references, references, metrics.corpus_bleu, bins=[0, 7, 20])
    np.testing.assert_allclose(table["score"], [100.0, 100.0])


def by_length(predictions, references):
    """Return score_by_length with placeholder lengths: its text checks come before the lengths are read."""
    return metrics.score_by_length([1, 2], predictions, references, metrics.exact_match, bins=[0, 5])


PAIR_METRICS = [metrics.exact_match, metrics.word_accuracy, metrics.edit_distances,
                metrics.phoneme_error_rate, metrics.corpus_bleu, by_length]
PAIR_METRIC_IDS = ["exact_match", "word_accuracy", "edit_distances", "phoneme_error_rate", "corpus_bleu",
                   "score_by_length"]


@pytest.mark.parametrize("function", PAIR_METRICS, ids=PAIR_METRIC_IDS)
@pytest.mark.parametrize("predictions, references, error, message", [
    (["a", None], ["a", "b"], TypeError, r"predictions\[1\] is None; expected a str"),
    ([None], ["a"], TypeError, r"predictions\[0\] is None; expected a str"),
    (["a", "b"], ["a", None], TypeError, r"references\[1\] is None; expected a str"),
    ([["K", "AE1"]], ["K AE1"], TypeError, r"predictions\[0\] is a list \['K', 'AE1'\]; expected a str"),
    (["a", 3], ["a", "b"], TypeError, r"predictions\[1\] is a int 3; expected a str"),
    (["a", "b"], ["a"], ValueError, "predictions and references must have the same length, got 2 and 1"),
    ([], [], ValueError, "predictions must be a non-empty sequence"),
    (["a"], [], ValueError, "references must be a non-empty sequence"),
    ("abc", ["abc"], TypeError, "predictions must be a sequence of strings, not one string"),
    (None, ["a"], TypeError, "predictions must be a sequence of strings, got None"),
])
def test_bad_inputs_are_named_with_their_position(function, predictions, references, error, message):
    with pytest.raises(error, match=message):
        function(predictions, references)


def test_phoneme_error_rate_accepts_one_pass_iterables():
    assert metrics.phoneme_error_rate(iter(["K AE1 T"]), iter(["K AE1 D"])) == pytest.approx(1 / 3)


def test_score_by_length_bad_arguments():
    with pytest.raises(ValueError, match="one per prediction"):
        metrics.score_by_length([1, 2, 3], ["a", "b"], ["a", "b"], metrics.exact_match, bins=[0, 5])
    with pytest.raises(ValueError, match="increasing"):
        metrics.score_by_length([1, 2], ["a", "b"], ["a", "b"], metrics.exact_match, bins=[5, 0])
    with pytest.raises(ValueError, match="increasing"):
        metrics.score_by_length([1, 2], ["a", "b"], ["a", "b"], metrics.exact_match, bins=[5])


def test_bleu_bootstrap_matches_corpus_bleu_and_brackets_the_difference():
    references = ["the cat sat on the mat", "a dog ran in the park", "it is a truth", "he said no"] * 5
    a = ["the cat sat on a mat", "a dog ran in a park", "it is a truth", "he said nothing"] * 5
    b = ["a cat sat", "the dog ran", "it is true", "he said no"] * 5
    result = metrics.bleu_bootstrap(a, b, references, resamples=200, seed=1)
    assert result["a"] == pytest.approx(metrics.corpus_bleu(a, references))
    assert result["b"] == pytest.approx(metrics.corpus_bleu(b, references))
    assert result["difference"] == pytest.approx(result["a"] - result["b"])
    assert result["low"] <= result["difference"] <= result["high"]
    assert metrics.bleu_bootstrap(a, b, references, resamples=200, seed=1) == result      # seeded
    same = metrics.bleu_bootstrap(a, a, references, resamples=50)
    assert same["low"] == same["high"] == same["difference"] == 0


def test_bleu_bootstrap_bad_inputs():
    with pytest.raises(ValueError):
        metrics.bleu_bootstrap(["a b"], ["a b", "c"], ["a b"])           # lengths differ
    with pytest.raises(ValueError, match="resamples"):
        metrics.bleu_bootstrap(["a b"], ["a b"], ["a b"], resamples=0)
