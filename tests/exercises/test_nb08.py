"""Tests of the checks of notebook 08's exercises (utils/exercise_checks/nb08.py)."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest

from utils import exercises, seq2seq
from utils.exercise_checks import nb08


def run(exercise: str, answer: object) -> tuple[bool, str]:
    """Return (passed, the line printed) of exercises.check."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        passed = exercises.check(exercise, answer)
    return passed, printed.getvalue().strip()


# --- 08.1 ---------------------------------------------------------------------------------------------------

def teacher_forcing(target_ids):
    n = len(target_ids)
    lengths = (target_ids != 0).sum(axis=1)
    decoder_in = np.concatenate([np.full((n, 1), 2), target_ids], axis=1)
    decoder_out = np.concatenate([target_ids, np.zeros((n, 1), int)], axis=1)
    decoder_out[np.arange(n), lengths] = 3
    return decoder_in, decoder_out


def test_the_ids_are_those_of_seq2seq():
    assert (nb08.PAD_ID, nb08.START_ID, nb08.END_ID) == (seq2seq.PAD_ID, seq2seq.START_ID, seq2seq.END_ID)


def test_teacher_forcing_right_answers_pass():
    assert run("08.1", teacher_forcing) == (True, "✓ 08.1: right on 3 random inputs")
    assert run("08.1", seq2seq.teacher_forcing_arrays)[0]
    assert run("08.1", lambda ids: [part.tolist() for part in teacher_forcing(ids)])[0]   # lists are fine


def test_teacher_forcing_may_change_its_argument():
    def in_place(ids):
        pair = teacher_forcing(ids.copy())
        ids[:] = 0                                   # the check must not compare against the changed ids
        return pair

    assert run("08.1", in_place)[0]


def shifted(ids, end_everywhere=False, end=True):
    n = len(ids)
    out = np.concatenate([ids, np.zeros((n, 1), int)], axis=1)
    if end_everywhere:
        out[:, -1] = 3
    elif end:
        out[np.arange(n), (ids != 0).sum(axis=1)] = 3
    return np.concatenate([np.full((n, 1), 2), ids], axis=1), out


@pytest.mark.parametrize("wrong, hint", [
    (lambda ids: (np.concatenate([ids, np.zeros((len(ids), 1), int)], axis=1), shifted(ids)[1]),
     "not shifted"),
    (lambda ids: (shifted(ids)[1], shifted(ids)[1]), "equals its target"),
    (lambda ids: shifted(ids, end_everywhere=True), "last real token"),
    (lambda ids: shifted(ids, end=False), "never contain [END]"),
    (lambda ids: shifted(ids)[::-1], "swapped"),
    (lambda ids: (np.concatenate([np.full((len(ids), 1), 2), shifted(ids)[1][:, :-1]], axis=1),
                  shifted(ids)[1]), "must not contain [END]"),
    (lambda ids: (shifted(ids)[0], shifted(ids)[1] + 1), "differs from the reference"),
])
def test_teacher_forcing_wrong_versions_fail_with_their_hint(wrong, hint):
    passed, message = run("08.1", wrong)
    assert not passed and hint in message


@pytest.mark.parametrize("broken, says", [
    (teacher_forcing(np.array([[5, 6, 0]])), "expected a function"),
    (lambda ids: 1 / 0, "raised ZeroDivisionError"),
    (lambda ids: shifted(ids)[0], "expected two arrays"),
    (lambda ids: (ids, ids), "shape"),
    (lambda ids: (shifted(ids)[0], np.full(shifted(ids)[1].shape, np.nan)), "NaN"),
    (lambda ids: (shifted(ids)[0], shifted(ids)[1] + np.random.randint(2, size=shifted(ids)[1].shape)),
     "unseeded"),
    (lambda: None, "raised TypeError"),
])
def test_teacher_forcing_broken_answers_fail_with_a_message(broken, says):
    passed, message = run("08.1", broken)
    assert not passed and says in message and "Traceback" not in message


# --- 08.2 ---------------------------------------------------------------------------------------------------

RIGHT_BP = math.exp(1 - 13_600 / 10_200)


def test_brevity_penalty_right_answer_passes():
    assert run("08.2", RIGHT_BP) == (True, "✓ 08.2: right")
    assert run("08.2", round(RIGHT_BP, 3))[0]


@pytest.mark.parametrize("wrong, hint", [
    (math.exp(1 - 10_200 / 13_600), "wrong way round"),
    (10_200 / 13_600, "length ratio"),
    (1 - 13_600 / 10_200, "exponent"),
    (math.exp(-3_400 / 13_600), "divided by the output length"),
    (1, "penalty applies"),
    (0.5, "too small"),
    ("0.717", "expected a number"),
    (float("nan"), "NaN"),
    (np.array([RIGHT_BP, RIGHT_BP]), "expected a number"),
])
def test_brevity_penalty_wrong_answers_fail_with_their_hint(wrong, hint):
    passed, message = run("08.2", wrong)
    assert not passed and hint in message
    assert f"{RIGHT_BP:.3f}" not in message.replace(repr(wrong), "")


# --- 08.4 ---------------------------------------------------------------------------------------------------

def test_the_table_gives_the_beams_of_seq2seq_beam_search():
    """nb08.beam_search_table agrees with the notebook's beam search on a step function made of the table."""
    import tensorflow as tf

    tokens = ["", "[UNK]", "[START]", "[END]", "A", "B"]
    prefixes = [*nb08.BEAM_TABLE, "dead"]                      # dead: ended, or a prefix no kept beam reaches
    logits = np.full((len(prefixes), len(tokens)), -np.inf, dtype="float32")
    after = np.full((len(prefixes), len(tokens)), len(prefixes) - 1, dtype="int32")
    for p, prefix in enumerate(nb08.BEAM_TABLE):
        for token, log_p in nb08.BEAM_TABLE[prefix].items():
            logits[p, tokens.index(token)] = log_p
            if (*prefix, token) in nb08.BEAM_TABLE:
                after[p, tokens.index(token)] = prefixes.index((*prefix, token))
    logits[-1] = 0.0
    after[len(prefixes) - 1, seq2seq.START_ID] = prefixes.index(())   # the root reads [START] first

    def step(previous, state):                                 # state: the prefix before `previous`, (batch,)
        prefix = tf.gather(tf.reshape(after, [-1]), state * len(tokens) + previous)
        return tf.gather(logits, prefix), prefix

    for width in (1, nb08.BEAM_WIDTH):
        ids, scores = seq2seq.beam_search(step, tf.constant([len(prefixes) - 1]), nb08.BEAM_STEPS,
                                          beam_width=width, length_penalty=0)
        best = tuple(tokens[i] for i in ids[0, 0] if i not in (seq2seq.PAD_ID, seq2seq.END_ID))
        want, want_score = nb08.beam_search_table(width)
        assert best == want
        assert scores[0, 0] == pytest.approx(want_score, abs=0.05)   # Keras renormalises the rounded rows


def test_beam_right_answers_pass():
    assert run("08.4", ("B", -1.2)) == (True, "✓ 08.4: right: output and score")
    assert run("08.4", ["b [END]", np.float32(-1.2)])[0]


@pytest.mark.parametrize("wrong, hint", [
    (("A A", -1.9), "greedy search"),
    (("A A [END]", -1.2), "greedy search"),
    (("A B", -1.8), "redo it step by step"),
    (("", 0.0), "redo it step by step"),
    (("B", -1.1), "log-probability of [END]"),
    (("B", -0.6), "per token"),
    (("B", 1.2), "negative"),
    (("B", math.exp(-1.2)), "not the probability"),
    (("B", -2.0), "too small"),
    (("B", "-1.2"), "expected a number"),
    (("B", float("nan")), "NaN"),
])
def test_beam_wrong_answers_fail_with_their_hint(wrong, hint):
    passed, message = run("08.4", wrong)
    assert not passed and hint in message
    assert "1.2" not in message.replace(repr(wrong[1]), "")


@pytest.mark.parametrize("broken, says", [
    ("B", "expected a pair"),
    (("B", -1.2, 0), "expected a pair"),
    (-1.2, "expected a pair"),
    ((["B"], -1.2), "must be a string"),
    (("C", -1.2), "'C' is not a token"),
])
def test_beam_broken_answers_fail_with_a_message(broken, says):
    passed, message = run("08.4", broken)
    assert not passed and says in message
