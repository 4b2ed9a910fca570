"""Scores of generated sequences against references; imported by notebooks 08, 09 and 12.

- `exact_match`: the share of outputs identical to their reference (dates);
- `word_accuracy` and `phoneme_error_rate`: grapheme-to-phoneme scores, the second an edit distance
  (Levenshtein, computed by the `rapidfuzz` library) over phoneme tokens;
- `corpus_bleu`: BLEU of a whole test set with `sacrebleu` (translation);
- `score_by_length`: any of these by source-length bucket, the curve attention (notebook 09) should lift;
- `bleu_bootstrap`: two systems' BLEU on the same test set with a paired bootstrap interval of the difference.

Every function takes lists of strings (one per example), predictions first, then references, and raises on
an empty list, lists of different lengths or an item that is not a string ("predictions[1] is None; expected
a str"). Phoneme and word sequences are strings of space-separated tokens ("K AE1 T").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import sacrebleu
from rapidfuzz.distance import Levenshtein

from utils.checks import as_text_pairs, check_int


def exact_match(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Return the share (0..1) of predictions equal to their reference, character for character."""
    predictions, references = as_text_pairs(predictions, references)
    return float(np.mean([p == r for p, r in zip(predictions, references, strict=True)]))


def word_accuracy(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Return the share (0..1) of words whose predicted tokens are all right (1 - the word error rate).

    Tokens are compared after splitting on whitespace, so extra or missing spaces do not count as errors.
    """
    predictions, references = as_text_pairs(predictions, references)
    return float(np.mean([p.split() == r.split() for p, r in zip(predictions, references, strict=True)]))


def edit_distances(predictions: Sequence[str], references: Sequence[str]) -> np.ndarray:
    """Return the token-level Levenshtein distance (n,) int of each prediction to its reference.

    The distance is the least number of token insertions, deletions and substitutions that turn the
    prediction into the reference ("K AE1 T" -> "K AE1 T S" is 1).
    """
    predictions, references = as_text_pairs(predictions, references)
    return np.array([Levenshtein.distance(p.split(), r.split())
                     for p, r in zip(predictions, references, strict=True)], dtype=np.int64)


def phoneme_error_rate(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Return the phoneme error rate: summed token edit distances over the summed reference lengths.

    0 is perfect; it can exceed 1 when the predictions are much longer than the references. Raises if the
    references hold no token at all.
    """
    predictions, references = as_text_pairs(predictions, references)
    distances = edit_distances(predictions, references)
    reference_tokens = sum(len(r.split()) for r in references)
    if reference_tokens == 0:
        raise ValueError("the references hold no token: the error rate is undefined")
    return float(distances.sum() / reference_tokens)


def corpus_bleu(predictions: Sequence[str], references: Sequence[str], lowercase: bool = True) -> float:
    """Return the corpus BLEU (0..100) of detokenised predictions, one reference each, from sacrebleu.

    sacrebleu tokenises both sides itself (its standard "13a" tokenizer, which splits off punctuation) and
    combines the n-gram counts of the whole corpus, so the score is not a mean of sentence scores. With
    `lowercase`, case is ignored (the models here produce lowercase text). No network access is needed.
    """
    predictions, references = as_text_pairs(predictions, references)
    return float(sacrebleu.corpus_bleu(predictions, [references], lowercase=lowercase).score)


def score_by_length(lengths: Sequence[int] | np.ndarray, predictions: Sequence[str],
                    references: Sequence[str],
                    score: Callable[[list[str], list[str]], float], bins: Sequence[int]) -> pd.DataFrame:
    """Return `score` of each source-length bucket: one row per bucket with columns bucket, n, score.

    `lengths` (n,) are the source lengths (tokens or characters); `bins` are increasing bucket edges,
    bucket i holding lengths in [bins[i], bins[i + 1]). Examples outside all buckets are dropped; empty
    buckets get n = 0 and score NaN. `score` is any function of this module, e.g. `exact_match` or
    `corpus_bleu` (BLEU is computed on the bucket as a corpus).
    """
    predictions, references = as_text_pairs(predictions, references)
    lengths = np.asarray(lengths)
    bins = np.asarray(bins)
    if lengths.shape != (len(predictions),) or not np.issubdtype(lengths.dtype, np.number):
        raise ValueError(f"lengths must be numbers, one per prediction: got shape {lengths.shape} for "
                         f"{len(predictions)} predictions")
    if bins.ndim != 1 or len(bins) < 2 or not np.all(np.diff(bins) > 0):
        raise ValueError(f"bins must be at least two increasing edges, got {bins.tolist()}")
    rows = []
    for low, high in zip(bins[:-1], bins[1:], strict=True):
        inside = np.flatnonzero((lengths >= low) & (lengths < high))
        value = (score([predictions[i] for i in inside], [references[i] for i in inside])
                 if len(inside) else np.nan)
        rows.append({"bucket": f"{low}-{high - 1}", "n": len(inside), "score": value})
    return pd.DataFrame(rows)


def bleu_bootstrap(predictions_a: Sequence[str], predictions_b: Sequence[str], references: Sequence[str],
                   resamples: int = 1000, seed: int = 0, lowercase: bool = True) -> dict[str, float]:
    """Return corpus BLEU of two systems on the same references and a paired bootstrap interval of a - b.

    Koehn (2004): draw the test sentences with replacement `resamples` times, the same draw for both systems,
    and recompute both corpus BLEUs on each draw; "low" and "high" bound the central 95% of the differences.
    An interval that contains 0 means this test set cannot tell the two apart. Corpus BLEU is not a mean of
    sentence scores, so each draw sums the sentences' n-gram statistics (from sacrebleu) and scores the sums.
    Returns {"a", "b", "difference", "low", "high"}.
    """
    predictions_a, references = as_text_pairs(predictions_a, references)
    predictions_b, _ = as_text_pairs(predictions_b, references)
    resamples = check_int("resamples", resamples, 1)
    scorer = sacrebleu.metrics.BLEU(lowercase=lowercase)
    if not hasattr(scorer, "_extract_corpus_statistics"):   # sacrebleu >= 2.0 has both (requirements: 2.4)
        raise RuntimeError(f"sacrebleu {sacrebleu.__version__} lacks the per-sentence statistics this needs: "
                           "install sacrebleu>=2.4 (requirements.txt)")
    stats = {name: np.array(scorer._extract_corpus_statistics(predictions, [references]), dtype=np.int64)
             for name, predictions in (("a", predictions_a), ("b", predictions_b))}   # (sentences, 10)

    def score(rows: np.ndarray) -> dict[str, float]:
        return {name: float(scorer._compute_score_from_stats(s[rows].sum(axis=0).tolist()).score)
                for name, s in stats.items()}

    full = score(np.arange(len(references)))
    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(resamples):
        draw = score(rng.integers(0, len(references), len(references)))
        differences.append(draw["a"] - draw["b"])
    low, high = np.percentile(differences, [2.5, 97.5])
    return {"a": full["a"], "b": full["b"], "difference": full["a"] - full["b"], "low": float(low),
            "high": float(high)}
