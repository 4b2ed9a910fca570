"""The checks of notebook 08's exercises: teacher forcing, BLEU's brevity penalty, beam search by hand.

Registered with utils/exercises.py, which imports this module. `BEAM_TABLE` is the toy decoder of exercise
08.4, the same numbers as the table in the exercise: for each prefix, the log-probabilities of the next
tokens. A prefix that beam search never keeps may be missing.
"""

from __future__ import annotations

import math

import numpy as np

from utils.exercises import ReaderCodeError, Verdict, call_reader, expect_function, expect_number, register

PAD_ID, START_ID, END_ID = 0, 2, 3      # utils.seq2seq's ids
END = "[END]"
BEAM_TABLE: dict[tuple[str, ...], dict[str, float]] = {
    (): {"A": -0.4, "B": -1.1},
    ("A",): {"A": -0.9, "B": -1.0, END: -1.6},
    ("B",): {"A": -2.6, "B": -3.9, END: -0.1},
    ("A", "A"): {"A": -1.2, "B": -1.9, END: -0.6},
    ("A", "B"): {"A": -1.5, "B": -2.0, END: -0.5},
}
BEAM_WIDTH, BEAM_STEPS = 2, 3
OUTPUT_LENGTH, REFERENCE_LENGTH = 10_200, 13_600    # exercise 08.2: words in all outputs, in all references


# --- 08.1: teacher forcing ----------------------------------------------------------------------------------

def _target_ids(seed: int) -> tuple[np.ndarray]:
    """Return right-padded target ids (6, 7): one full row, the others of random lengths 1..7."""
    rng = np.random.default_rng(800 + seed)
    lengths = rng.integers(1, 8, size=6)
    lengths[0], lengths[1] = 7, rng.integers(1, 7)
    ids = rng.integers(4, 30, size=(6, 7))
    ids[np.arange(7) >= lengths[:, None]] = PAD_ID
    return (ids,)


def _reference_pair(target_ids: np.ndarray) -> np.ndarray:
    from utils.seq2seq import teacher_forcing_arrays  # imports TensorFlow: only when a check runs

    return np.stack(teacher_forcing_arrays(target_ids))  # (2, n, T + 1)


def _reader_pair(function: object, target_ids: np.ndarray) -> np.ndarray:
    """Return the reader's (inputs, targets) stacked as (2, n, T + 1); raise ReaderCodeError if it fails."""
    if not callable(function):
        call_reader(function)  # raises the "expected a function" message
    results = []

    def run(ids: np.ndarray) -> float:
        results.append(function(ids))
        return 0.0

    call_reader(run, target_ids.copy())  # the reader's exceptions become one-line ReaderCodeErrors
    pair = results[0]
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ReaderCodeError(f"your function returned {type(pair).__name__}, expected two arrays: "
                              "`return decoder_in, decoder_out`")
    shapes = [np.shape(part) for part in pair]
    want = (len(target_ids), target_ids.shape[1] + 1)
    for name, shape in zip(("decoder inputs", "decoder targets"), shapes, strict=True):
        if shape != want:
            raise ReaderCodeError(f"your {name} have shape {shape}, expected (n, T + 1) = {want} for target "
                                  f"ids of shape {target_ids.shape}")
    return np.stack([np.asarray(part, dtype="float64") for part in pair])


def _wrong_pairs(target_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Return typical wrong versions of the pair, each stacked as (2, n, T + 1), with what they forgot."""
    right_in, right_out = _reference_pair(target_ids)
    padded = np.concatenate([target_ids, np.zeros((len(target_ids), 1), int)], axis=1)  # (n, T + 1)
    end_last = padded.copy()
    end_last[:, -1] = END_ID
    end_in_input = np.concatenate([np.full((len(target_ids), 1), START_ID), right_out[:, :-1]], axis=1)
    return {
        "the decoder input is not shifted: it must start with [START] and hold the previous token at every "
        "step, or the model learns to copy its input": np.stack([padded, right_out]),
        "your decoder input equals its target: the model could copy its input (shift the input right by "
        "one, starting with [START])": np.stack([right_out, right_out]),
        "[END] must follow the last real token of each row, not fill the last column":
            np.stack([right_in, end_last]),
        "the targets never contain [END]: the decoder would never learn to stop":
            np.stack([right_in, padded]),
        "inputs and targets are swapped": np.stack([right_out, right_in]),
        "the decoder input of a padded row must not contain [END]: nothing is predicted after it":
            np.stack([end_in_input, right_out]),
    }


@register("08.1")
def check_teacher_forcing(answer: object) -> Verdict:
    """Exercise 08.1: the decoder's inputs and targets (teacher forcing) from right-padded target ids."""
    for seed in range(3):  # a clear message if it is not a function returning two arrays of the right shape
        _reader_pair(answer, *_target_ids(seed))
    hints = [(lambda ids, wrong=hint: _wrong_pairs(ids)[wrong], hint)
             for hint in _wrong_pairs(*_target_ids(0))]
    return expect_function(lambda ids: _reader_pair(answer, ids), _reference_pair, _target_ids,
                           hints=hints, rtol=0, atol=0)


# --- 08.2: brevity penalty ----------------------------------------------------------------------------------

@register("08.2")
def check_brevity_penalty(answer: object) -> Verdict:
    """Exercise 08.2: BLEU's brevity penalty for outputs shorter than the references."""
    c, r = OUTPUT_LENGTH, REFERENCE_LENGTH
    hints = {
        math.exp(1 - c / r): "the penalty is never above 1: the ratio of the lengths is the wrong way round",
        c / r: "the penalty is not the length ratio itself but an exponential of it",
        1 - r / c: "that is the exponent: the penalty is the exponential of it",
        math.exp(-(r - c) / r): "the shortfall r - c is divided by the output length c, not by r",
        1.0: "the outputs are shorter than the references, so the penalty applies",
    }
    return expect_number(answer, math.exp(1 - r / c), rtol=1e-3, hints=hints)


# --- 08.4: beam search by hand ------------------------------------------------------------------------------

def beam_search_table(width: int, table: dict = BEAM_TABLE, steps: int = BEAM_STEPS
                      ) -> tuple[tuple[str, ...], float]:
    """Return the best output (tokens, [END] left out) and its summed log-probability, by beam search.

    Every step extends each live hypothesis by every token of its row; a finished one (it produced [END])
    competes unchanged; the `width` best by summed log-probability stay. width=1 is greedy search.
    """
    beams = [((), 0.0, False)]                                   # (tokens, summed log-probability, ended?)
    for _ in range(steps):
        if all(ended for *_, ended in beams):
            break
        candidates = []
        for tokens, score, ended in beams:
            if ended:
                candidates.append((tokens, score, True))
                continue
            candidates += [(tokens + (t,), score + lp, t == END) for t, lp in table[tokens].items()]
        beams = sorted(candidates, key=lambda beam: -beam[1])[:width]
    tokens, score, _ = max(beams, key=lambda beam: beam[1])
    return tuple(t for t in tokens if t != END), score


def _output_tokens(output: str) -> list[str]:
    """Return the tokens of an output string, upper case, without [START] and [END]."""
    tokens = output.replace(",", " ").upper().split()
    return [t for t in tokens if t not in ("[END]", "END", "[START]", "START")]


@register("08.4")
def check_beam_by_hand(answer: object) -> Verdict:
    """Exercise 08.4: the output of a width-2 beam search on the exercise's table, and its score."""
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return Verdict(False, 'expected a pair (output, score), e.g. ("A B A", -4.2): the output as tokens '
                       "separated by spaces, the score a number")
    output, score = answer
    if not isinstance(output, str):
        return Verdict(False, 'the output must be a string of tokens such as "A B A", got '
                       f"{type(output).__name__}")
    tokens = _output_tokens(output)
    unknown = [t for t in tokens if t not in ("A", "B")]
    if unknown:
        return Verdict(False, f"{unknown[0]!r} is not a token of the table (A, B and [END])")
    best, best_score = beam_search_table(BEAM_WIDTH)
    if tuple(tokens) == beam_search_table(1)[0]:
        return Verdict(False, "not quite: that is greedy search's output; with width 2, keep the two best "
                       "hypotheses at every step")
    if tuple(tokens) != best:
        return Verdict(False, "not the output of the width-2 beam search: redo it step by step, keeping the "
                       "two best hypotheses by summed log-probability; one that has ended stays unchanged")
    hints = {best_score - BEAM_TABLE[best][END]: "the score includes the log-probability of [END]",
             best_score / (len(best) + 1): "that is the score per token (length_penalty=1); give the sum",
             -best_score: "log-probabilities are negative, and so is their sum",
             math.exp(best_score): "give the log-probability, not the probability"}
    verdict = expect_number(score, best_score, atol=1e-6, hints=hints)
    return Verdict(True, "right: output and score") if verdict.passed else Verdict(
        False, f"the output is right, but the score is wrong: {verdict.message}")
