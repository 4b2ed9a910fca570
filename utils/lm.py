"""Character language models without a network: a vocabulary, an interpolated n-gram model, bits per char;
imported by notebooks 06 and 12.

- `char_vocabulary`, `text_to_ids`, `ids_to_text`: a sorted character vocabulary, text <-> ids conversions;
- `NGramModel`: a character n-gram model with interpolated absolute discounting or interpolated Kneser-Ney
  smoothing, counted with NumPy (one `np.unique` per order, no Python loop over the text);
- `bits_per_char` and `perplexity`: the units a language model is measured in;
- `prepare_book`: notebook 06's preparation of *Pride and Prejudice* (also used by notebook 12).

Imported by notebook 06, which explains the smoothing formula; this module only makes the counting fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from utils.checks import as_int_array, as_texts, check_int, check_text


def prepare_book(text: str) -> str:
    """Return `text` lower-cased, each paragraph's lines joined by one space, one "\n" between paragraphs.

    Paragraphs are separated by blank lines in the source; the result keeps no other line breaks, so that a
    character model spends no capacity on where the printer broke the lines.
    """
    check_text("text", text, allow_empty=False)
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n".join(" ".join(paragraph.split()) for paragraph in paragraphs).lower()


def char_vocabulary(text: str, extra: Sequence[str] = ()) -> list[str]:
    """Return the sorted list of distinct characters of `text` plus the characters in `extra`.

    Sorting makes the ids independent of the order in which characters first appear, so the same text always
    gives the same vocabulary; `extra` adds symbols the text may lack (a start or an unknown marker).
    """
    check_text("text", text, allow_empty=False)
    if isinstance(extra, str):
        extra = list(extra)  # "ab": the characters a and b
    for i, symbol in enumerate(extra):
        if len(check_text(f"extra[{i}]", symbol)) != 1:
            raise ValueError(f"extra symbols must be single characters, got extra[{i}] = {symbol!r}")
    return sorted(set(text) | set(extra))


def text_to_ids(text: str, vocabulary: Sequence[str], unknown: str | None = None) -> np.ndarray:
    """Return the ids (len(text),) int32 of the characters of `text` in `vocabulary`.

    A character missing from the vocabulary raises ValueError (listing a few of them), unless `unknown` names
    a vocabulary entry to use for them instead.
    """
    check_text("text", text)
    vocabulary = _check_vocabulary(vocabulary)
    index = {char: i for i, char in enumerate(vocabulary)}
    if len(index) != len(vocabulary):
        raise ValueError("vocabulary has repeated entries")
    if unknown is not None and unknown not in index:
        raise ValueError(f"unknown={unknown!r} is not in the vocabulary")
    missing = sorted(set(text) - index.keys())
    if missing and unknown is None:
        shown = "".join(missing[:20])
        raise ValueError(f"{len(missing)} character(s) of the text are not in the vocabulary: {shown!r}"
                         " (build the vocabulary from this text, or pass unknown=...)")
    fallback = index.get(unknown, -1)
    return np.fromiter((index.get(char, fallback) for char in text), dtype=np.int32, count=len(text))


def _check_vocabulary(vocabulary: Sequence[str]) -> list[str]:
    """Return the vocabulary as a list after checking that it holds distinct single characters."""
    vocabulary = as_texts(vocabulary, "vocabulary")
    if set(map(len, vocabulary)) != {1}:
        i = next(i for i, char in enumerate(vocabulary) if len(char) != 1)
        raise ValueError(f"vocabulary[{i}] is {vocabulary[i]!r}; expected a single character")
    return vocabulary


def ids_to_text(ids: Sequence[int] | np.ndarray, vocabulary: Sequence[str]) -> str:
    """Return the text spelled by `ids` (any integer sequence) in `vocabulary`."""
    vocabulary = _check_vocabulary(vocabulary)
    ids = as_int_array("ids", ids, ndim=None, high=len(vocabulary))
    return "".join(vocabulary[i] for i in ids.ravel().tolist())


def bits_per_char(nats: float | np.ndarray) -> float:
    """Return the mean cross-entropy in bits per character from natural-log losses (one value or an array)."""
    return float(np.mean(nats) / np.log(2))


def perplexity(bits: float) -> float:
    """Return the perplexity 2**bits: the number of equally likely characters the model is as unsure as."""
    return float(2.0 ** bits)


def _lookup(keys: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Return values[keys == q] for each query (m,), 0 where a query is not among the sorted `keys`."""
    where = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)   # (m,)
    return np.where(keys[where] == queries, values[where], 0)


def _gram_codes(ids: np.ndarray, length: int, base: int) -> np.ndarray:
    """Return the codes (len(ids) - length + 1,) of all `length`-grams, base-`base` numbers."""
    codes = np.zeros(len(ids) - length + 1, dtype=np.int64)
    for j in range(length):
        codes = codes * base + ids[j:len(ids) - length + 1 + j]
    return codes


class NGramModel:
    """A character n-gram model with interpolated absolute discounting (or Kneser-Ney) smoothing.

    For a context h of k characters and its shortening h' (h without its oldest character),

        P_k(c | h) = max(C(h c) - D_k, 0) / C(h .)  +  D_k * N(h .) / C(h .) * P_{k-1}(c | h')

    where C(h c) counts h followed by c, C(h .) = sum over c of C(h c), N(h .) is the number of distinct
    characters seen after h, and P_{-1} is uniform over the vocabulary. A context never seen (C(h .) = 0)
    passes the lower order through unchanged. The discount D_k = n1 / (n1 + 2 n2) comes from the numbers of
    (k+1)-grams seen once (n1) and twice (n2) in training (Ney, Essen & Kneser, 1994). With `kneser_ney=True`
    the lower orders (k < order - 1) count, instead of C(h c), the number of distinct characters that precede
    h c (Kneser & Ney, 1995): a character that follows many contexts gets more weight in the back-off.

    One fit counts every order up to `order`; `log_probs`, `distribution` and `bits_per_char` take an
    optional `order` to use a lower-order model without counting again.
    """

    def __init__(self, order: int, vocab_size: int, kneser_ney: bool = False) -> None:
        order, vocab_size = check_int("order", order, 1), check_int("vocab_size", vocab_size, 1)
        if float(vocab_size) ** order >= 2.0 ** 62:
            raise ValueError(f"vocab_size ** order = {vocab_size}**{order} overflows the int64 n-gram codes")
        self.order, self.vocab_size, self.kneser_ney = int(order), int(vocab_size), bool(kneser_ney)
        self.raw: list[dict] = []           # raw[k]: counts of (k+1)-grams
        self.continuation: list[dict] = []  # continuation[k]: Kneser-Ney counts of (k+1)-grams, k < order - 1

    @staticmethod
    def _table(grams: np.ndarray, counts: np.ndarray, vocab_size: int) -> dict:
        """Return the lookup table of sorted gram codes (g,): their counts, context totals and discount."""
        n1, n2 = np.sum(counts == 1), np.sum(counts == 2)
        discount = n1 / (n1 + 2 * n2) if n1 + n2 > 0 else 0.5
        contexts, first = np.unique(grams // vocab_size, return_index=True)   # grams sorted, so by context
        return {"grams": grams, "counts": counts, "contexts": contexts,
                "totals": np.add.reduceat(counts, first),                     # C(h .)
                "distinct": np.diff(np.append(first, len(grams))),            # N(h .)
                "discount": float(discount)}

    def fit(self, ids: np.ndarray | Sequence[int]) -> NGramModel:
        """Return the model after counting every n-gram of orders 1..order in `ids` (n,) (integer ids)."""
        ids = self._check_ids(ids, "ids")
        if len(ids) < self.order:
            raise ValueError(f"need at least order={self.order} ids to count, got {len(ids)}")
        V = self.vocab_size
        distinct = [np.unique(_gram_codes(ids, k + 1, V), return_counts=True) for k in range(self.order)]
        self.raw = [self._table(grams, counts, V) for grams, counts in distinct]
        self.continuation = []
        if self.kneser_ney:
            for k in range(self.order - 1):                 # the distinct (k+2)-grams, less their first id
                suffixes = np.unique(distinct[k + 1][0] % V ** (k + 1), return_counts=True)
                self.continuation.append(self._table(*suffixes, V))
        return self

    def _tables(self, order: int | None) -> list[dict]:
        """Return the tables an order-`order` model uses, lowest order first (default: the fitted order)."""
        if not self.raw:
            raise RuntimeError("the model is not fitted: call fit(ids) first")
        order = self.order if order is None else check_int("order", order, 1, self.order)
        lower = self.continuation if self.kneser_ney else self.raw
        return lower[:order - 1] + [self.raw[order - 1]]

    def _check_ids(self, ids: np.ndarray | Sequence[int], name: str) -> np.ndarray:
        """Return `ids` as a 1-D int64 array after checking they are valid ids of this vocabulary."""
        return as_int_array(name, ids, ndim=1, high=self.vocab_size)

    def _probabilities(self, tables: list[dict], contexts: list[np.ndarray],
                       targets: np.ndarray) -> np.ndarray:
        """Return P(target | context) (m,); contexts[k]: the length-k context codes, -1 where too short."""
        V = self.vocab_size
        p = np.full(len(targets), 1.0 / V)                              # P_{-1}: uniform
        for k, t in enumerate(tables):
            total = _lookup(t["contexts"], t["totals"], contexts[k])    # C(h .), 0 if unseen or -1
            distinct = _lookup(t["contexts"], t["distinct"], contexts[k])
            count = _lookup(t["grams"], t["counts"], contexts[k] * V + targets)
            D = t["discount"]
            mixed = (np.maximum(count - D, 0) + D * distinct * p) / np.maximum(total, 1)
            p = np.where((contexts[k] >= 0) & (total > 0), mixed, p)
        return p

    def log_probs(self, ids: np.ndarray | Sequence[int], order: int | None = None) -> np.ndarray:
        """Return ln P(ids[i] | the up to order-1 ids before it) for every position i, shape (n,).

        The first order-1 positions use the shorter contexts the text gives them.
        """
        tables, ids = self._tables(order), self._check_ids(ids, "ids")
        n, V = len(ids), self.vocab_size
        contexts = [np.zeros(n, dtype=np.int64)]                        # k = 0: the empty context
        for k in range(1, len(tables)):
            codes = np.full(n, -1, dtype=np.int64)
            if n > k:
                codes[k:] = _gram_codes(ids[:-1], k, V)                 # the k ids before position i
            contexts.append(codes)
        return np.log(self._probabilities(tables, contexts, ids))

    def distribution(self, context: np.ndarray | Sequence[int], order: int | None = None) -> np.ndarray:
        """Return P(c | context) for every character c, shape (vocab_size,); it sums to 1.

        Only the last order-1 ids of `context` matter; a shorter context uses the lower orders it allows.
        """
        tables, context = self._tables(order), self._check_ids(context, "context")
        V = self.vocab_size
        contexts = []
        for k in range(len(tables)):
            code = _gram_codes(context[len(context) - k:], k, V)[0] if k <= len(context) else -1
            contexts.append(np.full(V, code, dtype=np.int64))
        return self._probabilities(tables, contexts, np.arange(V))

    def bits_per_char(self, ids: np.ndarray | Sequence[int], order: int | None = None) -> float:
        """Return the model's cross-entropy on `ids` in bits per character (default order: the fitted one)."""
        return bits_per_char(-self.log_probs(ids, order))
