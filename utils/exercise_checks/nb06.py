"""The checks of notebook 06's exercises (see utils/exercises.py).

06.1 a Keras loss in nats -> bits per character and per-word perplexity, 06.2 a Kneser-Ney continuation share
by hand on a tiny text, 06.3 the softmax with a temperature (numerically stable).
"""

from __future__ import annotations

import math
import numbers
from collections import Counter

import numpy as np

from utils.exercises import Verdict, expect_function, expect_number, register

# --- 06.1: a validation loss of 1.25 nats per character; words of 5.5 characters with their space ----------

LOSS_NATS, CHARS_PER_WORD = 1.25, 5.5


def _bpc_hints() -> dict[float, str]:
    return {LOSS_NATS * math.log(2): "bits = nats / ln 2: you multiplied by ln 2",
            LOSS_NATS: "Keras's loss is in nats (natural logarithm); convert it to bits",
            LOSS_NATS / math.log(10): "that is in decimal digits (log base 10), not bits",
            math.exp(LOSS_NATS): "that is the per-character perplexity, not the bits per character"}


def _word_perplexity_hints() -> dict[float, str]:
    bpc = LOSS_NATS / math.log(2)
    return {2 ** bpc: "that is the perplexity per character; a word is several characters",
            2 ** (bpc * (CHARS_PER_WORD - 1)): "the space (or punctuation) after each word is predicted too: "
            "count it",
            bpc * CHARS_PER_WORD: "that is the number of bits per word; the perplexity is 2 to that power",
            2 ** bpc * CHARS_PER_WORD: "bits add up over the characters of a word, so perplexities multiply: "
            "raise to the power of the word length, do not multiply by it",
            math.exp(bpc * CHARS_PER_WORD): "bits go with base 2: the perplexity is 2 ** bits (or e ** nats)"}


@register("06.1")
def check_loss_conversion(answer: object) -> Verdict:
    """Check exercise 06.1: (bits per character, perplexity per word) for a Keras loss of 1.25 nats."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 2 or not all(
            isinstance(a, numbers.Real) or (isinstance(a, np.ndarray) and a.size == 1) for a in answer):
        return Verdict(False, f"expected a pair of numbers (bits per character, perplexity per word), got "
                       f"{answer!r:.60}")
    bpc = LOSS_NATS / math.log(2)
    first = expect_number(answer[0], bpc, rtol=1e-3, hints=_bpc_hints())
    if not first.passed:
        return Verdict(False, f"bits per character: {first.message}")
    second = expect_number(answer[1], 2 ** (bpc * CHARS_PER_WORD), rtol=1e-3, hints=_word_perplexity_hints())
    if not second.passed:
        return Verdict(False, f"bits per character right; perplexity per word: {second.message}")
    return Verdict(True, "both right")


# --- 06.2: Kneser-Ney's share of "c" after the context "r" (order 3, context length 1) ----------------------

KN_TEXT = "darcy darcy darcy dark card word"
CONTEXT, CHARACTER = "r", "c"


def _share(counts: Counter, context: str, character: str) -> float:
    """Return counts[context + character] / the sum of counts[context + any character]."""
    after = {gram[-1]: n for gram, n in counts.items() if gram[:-1] == context}
    return after.get(character, 0) / sum(after.values())


def _continuation_counts(text: str) -> Counter:
    """Return, for each pair of characters, the number of distinct characters that precede it in `text`."""
    return Counter(gram[1:] for gram in {text[i:i + 3] for i in range(len(text) - 2)})


def _kn_hints() -> dict[float, str]:
    raw = Counter(KN_TEXT[i:i + 2] for i in range(len(KN_TEXT) - 1))
    types_after = sum(1 for gram in raw if gram[0] == CONTEXT)
    return {_share(raw, CONTEXT, CHARACTER): "that share uses the raw counts C(h c), as absolute discounting "
            "does; Kneser-Ney counts the distinct characters that precede each pair",
            1 / types_after: "every pair counts once there; Kneser-Ney counts each pair once per distinct "
            "character before it"}


@register("06.2")
def check_kneser_ney_share(answer: object) -> Verdict:
    """Check exercise 06.2: the continuation-count share of "c" after "r" in KN_TEXT."""
    expected = _share(_continuation_counts(KN_TEXT), CONTEXT, CHARACTER)
    return expect_number(answer, expected, rtol=1e-3, hints=_kn_hints())


# --- 06.3: softmax(logits / T) over the last axis, without overflow ---------------------------------------

def _logits(seed: int) -> tuple[np.ndarray, float]:
    """Return logits (batch, vocab) and a temperature; the last trial has logits that overflow exp()."""
    rng = np.random.default_rng(600 + seed)
    scale, temperature = [(2.0, 0.7), (3.0, 1.6), (60.0, 0.05)][seed]
    return rng.normal(scale=scale, size=(3, 7)), temperature


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


_SOFTMAX_HINTS = [
    (lambda z, t: _softmax(z), "the temperature is ignored"),
    (lambda z, t: _softmax(z * t), "divide the logits by the temperature, do not multiply"),
    (lambda z, t: np.exp(z / t), "the probabilities must be normalised to sum to 1 over the vocabulary"),
    (lambda z, t: _softmax(z) ** (1 / t), "p ** (1 / T) is right only once it is normalised again"),
    (lambda z, t: np.exp(z / t) / np.exp(z / t).sum(axis=0, keepdims=True), "normalise over the vocabulary "
     "(the last axis), not over the batch"),
    (lambda z, t: _softmax(z) / t, "the temperature divides the logits, before the softmax"),
]


@register("06.3")
def check_temperature_softmax(answer: object) -> Verdict:
    """Check exercise 06.3: softmax_with_temperature(logits, temperature) on 3 random batches of logits."""
    with np.errstate(all="ignore"):          # a naive exp() overflows: the message says so, without warnings
        verdict = expect_function(answer, lambda z, t: _softmax(z / t), _logits, trials=3, rtol=1e-6,
                                  atol=1e-9, hints=_SOFTMAX_HINTS)
    if "NaN or infinity" in verdict.message:
        return Verdict(False, verdict.message + " (exp(z / T) overflows when z / T is large: subtract each "
                       "row's largest value first, which does not change the softmax)")
    return verdict
