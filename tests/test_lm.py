"""Tests of utils/lm.py: the character vocabulary, the n-gram model and the bits-per-character helpers."""

import math

import numpy as np
import pytest

from utils import lm

TEXT = "the cat sat on the mat. the dog sat on the log.\nthe end.\n"


@pytest.fixture(scope="module")
def vocab():
    return lm.char_vocabulary(TEXT)


@pytest.fixture(scope="module")
def ids(vocab):
    return lm.text_to_ids(TEXT, vocab)


# ------------------------------------------------------------------------------------------ vocabulary


def test_vocabulary_is_sorted_and_distinct():
    assert lm.char_vocabulary("banana") == ["a", "b", "n"]
    assert lm.char_vocabulary("ba", extra=["\n", "a"]) == ["\n", "a", "b"]


@pytest.mark.parametrize("bad, error, match", [
    ("", ValueError, "text is an empty string"),
    (b"abc", TypeError, "text is a bytes b'abc'; expected a str"),
    (["a", "b"], TypeError, "text is a list"),
    (None, TypeError, "text is None; expected a str"),
])
def test_vocabulary_rejects_empty_or_non_text(bad, error, match):
    with pytest.raises(error, match=match):
        lm.char_vocabulary(bad)


def test_vocabulary_rejects_multi_character_extras():
    with pytest.raises(ValueError, match=r"single characters, got extra\[1\] = '<s>'"):
        lm.char_vocabulary("abc", extra=["#", "<s>"])
    with pytest.raises(TypeError, match=r"extra\[0\] is None; expected a str"):
        lm.char_vocabulary("abc", extra=[None])
    assert lm.char_vocabulary("a", extra="cb") == ["a", "b", "c"]  # a string of extras: its characters


@pytest.mark.parametrize("call, error, match", [
    (lambda v: lm.text_to_ids(None, v), TypeError, "text is None; expected a str"),
    (lambda v: lm.text_to_ids(["the"], v), TypeError, "text is a list"),
    (lambda v: lm.text_to_ids("the", None), TypeError, "vocabulary must be a sequence of strings, got None"),
    (lambda v: lm.text_to_ids("the", [*v[:3], None]), TypeError, r"vocabulary\[3\] is None; expected a str"),
    (lambda v: lm.text_to_ids("the", []), ValueError, "vocabulary must be a non-empty sequence"),
    (lambda v: lm.text_to_ids("the", "".join(v)), TypeError, "must be a sequence of strings, not one"),
    (lambda v: lm.text_to_ids("the", ["th", "e"]), ValueError, r"vocabulary\[0\] is 'th'; expected a single"),
    (lambda v: lm.ids_to_text([0], [None]), TypeError, r"vocabulary\[0\] is None; expected a str"),
    (lambda v: lm.ids_to_text([0.0], v), TypeError, "ids must hold integers"),
])
def test_texts_and_vocabularies_are_checked(vocab, call, error, match):
    with pytest.raises(error, match=match):
        call(vocab)


def test_encode_decode_round_trip(vocab, ids):
    assert ids.dtype == np.int32 and ids.shape == (len(TEXT),)
    assert lm.ids_to_text(ids, vocab) == TEXT
    assert lm.ids_to_text([], vocab) == ""


def test_encode_rejects_unknown_characters(vocab):
    with pytest.raises(ValueError, match="not in the vocabulary"):
        lm.text_to_ids("the cat?", vocab)


def test_encode_maps_unknown_characters_when_asked(vocab):
    encoded = lm.text_to_ids("t?e", vocab, unknown=" ")
    assert lm.ids_to_text(encoded, vocab) == "t e"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        lm.text_to_ids("abc", vocab, unknown="#")


def test_encode_rejects_repeated_vocabulary():
    with pytest.raises(ValueError, match="repeated"):
        lm.text_to_ids("ab", ["a", "b", "a"])


def test_decode_rejects_ids_out_of_range(vocab):
    with pytest.raises(ValueError, match="must lie in"):
        lm.ids_to_text([0, len(vocab)], vocab)
    with pytest.raises(ValueError, match="must lie in"):
        lm.ids_to_text([-1], vocab)


# ------------------------------------------------------------------------------------------- units


def test_bits_and_perplexity():
    assert lm.bits_per_char(math.log(2)) == pytest.approx(1.0)
    assert lm.bits_per_char(np.full(10, math.log(4))) == pytest.approx(2.0)
    assert lm.perplexity(3.0) == pytest.approx(8.0)


# ------------------------------------------------------------------------------------------- n-gram


@pytest.mark.parametrize("order, vocab_size, error, match", [
    (0, 5, ValueError, "order must be >= 1"), (-1, 5, ValueError, "order must be >= 1"),
    (2, 0, ValueError, "vocab_size must be >= 1"), (1.5, 5, TypeError, "order must be an int"),
    (True, 5, TypeError, "order must be an int"), (2, "5", TypeError, "vocab_size must be an int"),
])
def test_ngram_rejects_bad_sizes(order, vocab_size, error, match):
    with pytest.raises(error, match=match):
        lm.NGramModel(order, vocab_size)


def test_ngram_rejects_codes_that_overflow():
    with pytest.raises(ValueError, match="overflows"):
        lm.NGramModel(6, 10_000)


def test_ngram_must_be_fitted_first(ids):
    model = lm.NGramModel(3, 30)
    with pytest.raises(RuntimeError, match="not fitted"):
        model.log_probs(ids)


def test_ngram_rejects_bad_ids(vocab, ids):
    model = lm.NGramModel(3, len(vocab))
    with pytest.raises(ValueError, match="must lie in"):
        model.fit(np.array([0, 1, len(vocab)]))
    with pytest.raises(ValueError, match="ids must be a 1-D integer array"):
        model.fit(ids[:10].reshape(2, 5))
    with pytest.raises(TypeError, match="ids must hold integers"):
        model.fit(ids.astype(float))
    with pytest.raises(ValueError, match="at least order"):
        model.fit(ids[:2])
    model.fit(ids)
    with pytest.raises(ValueError, match="order must be an int from 1 to 3"):
        model.log_probs(ids, order=4)
    with pytest.raises(ValueError, match="order must be an int from 1 to 3"):
        model.distribution(ids[:2], order=0)


def test_unigram_by_hand():
    # "aab" over {a, b, c}: counts a 2, b 1; one unigram seen once, one twice, so D = 1 / (1 + 2) = 1/3;
    # P(c) = (max(C(c) - D, 0) + D * N(.) / V) / C(.) with N(.) = 2 distinct characters and C(.) = 3.
    model = lm.NGramModel(1, 3).fit([0, 0, 1])
    np.testing.assert_allclose(model.distribution([]), [17 / 27, 8 / 27, 2 / 27])


@pytest.mark.parametrize("kneser_ney", [False, True])
def test_conditional_distributions_sum_to_one(vocab, ids, kneser_ney):
    model = lm.NGramModel(5, len(vocab), kneser_ney=kneser_ney).fit(ids)
    unseen = lm.text_to_ids("..t.", vocab)  # a context the text never has
    for order in range(1, 6):
        for context in (ids[:10], ids[:2], [], ids[-7:], unseen):
            distribution = model.distribution(context, order)
            assert distribution.shape == (len(vocab),)
            assert np.all(distribution > 0)
            assert distribution.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("kneser_ney", [False, True])
def test_log_probs_agree_with_distribution(vocab, ids, kneser_ney):
    model = lm.NGramModel(4, len(vocab), kneser_ney=kneser_ney).fit(ids)
    log_probs = model.log_probs(ids)
    assert log_probs.shape == ids.shape
    for i in (0, 1, 2, 3, 10, len(ids) - 1):
        expected = model.distribution(ids[max(0, i - 3):i])[ids[i]]
        assert log_probs[i] == pytest.approx(math.log(expected))


def test_lower_order_from_one_fit_equals_fitting_that_order(vocab, ids):
    for kneser_ney in (False, True):
        big = lm.NGramModel(5, len(vocab), kneser_ney=kneser_ney).fit(ids)
        small = lm.NGramModel(3, len(vocab), kneser_ney=kneser_ney).fit(ids)
        np.testing.assert_allclose(big.log_probs(ids, order=3), small.log_probs(ids))


def test_higher_orders_fit_the_training_text_better(vocab, ids):
    model = lm.NGramModel(5, len(vocab)).fit(ids)
    bits = [model.bits_per_char(ids, order) for order in range(1, 6)]
    assert all(b1 > b2 for b1, b2 in zip(bits, bits[1:], strict=False)), bits
    uniform = math.log2(len(vocab))
    assert bits[0] < uniform


def test_kneser_ney_changes_only_the_lower_orders(vocab, ids):
    plain = lm.NGramModel(3, len(vocab)).fit(ids)
    kneser_ney = lm.NGramModel(3, len(vocab), kneser_ney=True).fit(ids)
    np.testing.assert_allclose(plain.log_probs(ids, order=1), kneser_ney.log_probs(ids, order=1))
    assert not np.allclose(plain.log_probs(ids), kneser_ney.log_probs(ids))


def test_prepare_book_joins_lines_and_keeps_paragraphs():
    text = "  Chapter 1\n\nIt is a TRUTH\nuniversally   acknowledged.\n \nThat a man\n"
    assert lm.prepare_book(text) == "chapter 1\nit is a truth universally acknowledged.\nthat a man"
    with pytest.raises(ValueError):
        lm.prepare_book("")
