"""Text pipelines and classification metrics; imported by notebooks 05 and 10.

- `make_vectorizer`: a `keras.layers.TextVectorization` layer adapted on the *training* texts only;
- `sequence_lengths`: how many tokens each text has after standardisation and splitting (to choose the
  sequence length from the length distribution);
- `vectorize`: a vectorizer applied to texts on the CPU, as a NumPy array (string ops stay off a GPU);
- `check_no_empty_rows`: fail clearly on a text with no token (a fully masked row, which cuDNN refuses);
- `text_dataset`: a `tf.data` pipeline (vectorise once, cache, shuffle, batch, prefetch) ready for `fit`;
- `confusion_matrix` and `macro_f1`: computed in NumPy from integer labels, no scikit-learn needed.

Token ids follow TextVectorization: 0 is padding, 1 is the out-of-vocabulary token `[UNK]`, so an
`Embedding(..., mask_zero=True)` masks exactly the padding. Sequences are right-padded (and truncated at the
end), the layout that cuDNN's recurrent kernels accept with a mask.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from utils.checks import as_int_array, as_texts, check_choice, check_int, check_no_empty_rows

__all__ = ["check_no_empty_rows", "confusion_matrix", "macro_f1", "make_vectorizer", "sequence_lengths",
           "text_dataset", "vectorize"]

OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")


def _as_texts(texts: Sequence[str] | np.ndarray, name: str = "texts") -> np.ndarray:
    """Return `texts` as a 1-D NumPy array of Python strings; raise on an empty or non-string input."""
    return np.asarray(as_texts(texts, name), dtype=object)  # (n,)


def make_vectorizer(texts: Sequence[str] | np.ndarray, max_tokens: int, sequence_length: int | None = None,
                    output_mode: str = "int") -> keras.layers.TextVectorization:
    """Return a TextVectorization layer adapted on `texts` (pass the training texts only).

    `max_tokens` counts the whole vocabulary: padding (0) and `[UNK]` (1) included for `output_mode="int"`,
    `[UNK]` included for the bag-of-words modes; `vocabulary_size()` is smaller when the texts hold fewer
    distinct tokens, so size the next layer with it. With `output_mode="int"` and a `sequence_length`,
    every text becomes `sequence_length` ids: shorter texts are right-padded with 0, longer ones keep their
    first `sequence_length` tokens. The bag-of-words modes ("multi_hot", "count", "tf_idf") give one vector
    of `vocabulary_size()` numbers per text and take no `sequence_length`.
    """
    texts = _as_texts(texts)
    max_tokens = check_int("max_tokens", max_tokens, 1)
    sequence_length = None if sequence_length is None else check_int("sequence_length", sequence_length, 1)
    check_choice("output_mode", output_mode, OUTPUT_MODES)
    if output_mode != "int" and sequence_length is not None:
        raise ValueError(f"sequence_length applies to output_mode='int' only, not {output_mode!r}")
    if max_tokens < 3:
        raise ValueError(f"max_tokens must be >= 3 (padding, [UNK] and at least one word), got {max_tokens}")
    vectorizer = keras.layers.TextVectorization(max_tokens=max_tokens, output_mode=output_mode,
                                                output_sequence_length=sequence_length)
    vectorizer.adapt(tf.constant(texts.astype(str)), batch_size=1024)
    return vectorizer


def sequence_lengths(texts: Sequence[str] | np.ndarray) -> np.ndarray:
    """Return the number of tokens (n,) of each text, standardised and split as TextVectorization does.

    The default standardisation lowercases and strips punctuation, then the text is split on whitespace, so a
    lone "," in a pre-tokenised corpus is not a token. Out-of-vocabulary words count: it is the length before
    any vocabulary is applied.
    """
    texts = _as_texts(texts)
    splitter = keras.layers.TextVectorization(output_mode="int", ragged=True, vocabulary=["x"])
    with tf.device("/CPU:0"):
        ids = splitter(tf.constant(texts.astype(str)))  # ragged (n, None)
    return ids.row_lengths().numpy().astype(np.int64)


def vectorize(vectorizer: keras.layers.TextVectorization, texts: Sequence[str] | np.ndarray) -> np.ndarray:
    """Return `vectorizer(texts)` as a NumPy array: ids (n, sequence_length) or bag-of-words rows (n, tokens).

    It runs on the CPU. Keras before 3.15 does not pin TextVectorization's string and lookup ops there, so an
    eager call on a GPU machine can fail (keras-team/keras#22406) or, under op determinism, raise for the
    GPU's DenseBincount (tf_idf, count). A tf.data pipeline runs on the CPU anyway.
    """
    texts = _as_texts(texts)
    if not isinstance(vectorizer, keras.layers.TextVectorization):
        raise TypeError(f"vectorizer must be a TextVectorization layer, not {type(vectorizer).__name__}")
    with tf.device("/CPU:0"):
        return np.asarray(vectorizer(tf.constant(texts.astype(str))))


def text_dataset(texts: Sequence[str] | np.ndarray, labels: Sequence[int] | np.ndarray,
                 vectorizer: keras.layers.TextVectorization, batch_size: int = 64, shuffle: bool = False,
                 seed: int = 0) -> tf.data.Dataset:
    """Return a tf.data.Dataset of (vectorised texts, labels) batches, vectorised once and cached.

    The pipeline: slices -> vectorise in batches of 512 (one call of the layer per batch, in parallel) ->
    unbatch -> cache in memory -> shuffle (training only; reshuffled every epoch, seeded) -> batch ->
    prefetch. Elements are `(batch, sequence_length)` int64 ids (or `(batch, max_tokens)` float32 for the
    bag-of-words modes) and `(batch,)` int64 labels.
    """
    texts = _as_texts(texts)
    labels = as_int_array("labels", labels, ndim=None)
    if labels.shape != texts.shape:
        raise ValueError(f"labels must have one entry per text: {labels.shape} labels, {texts.shape} texts")
    if not isinstance(vectorizer, keras.layers.TextVectorization):
        raise TypeError(f"vectorizer must be a TextVectorization layer, not {type(vectorizer).__name__}")
    if not set(vectorizer.get_vocabulary()) - {"", "[UNK]"}:
        raise ValueError("the vectorizer has no vocabulary: call adapt() on the training texts first")
    batch_size = check_int("batch_size", batch_size, 1)
    data = tf.data.Dataset.from_tensor_slices((texts.astype(str), labels.astype(np.int64)))
    data = data.batch(512).map(lambda x, y: (vectorizer(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    # unbatch() loses the dataset's length; assert_cardinality restores it, so that Keras knows the number of
    # steps per epoch (without it Keras 3 warns "Your input ran out of data" at the end of the first epoch).
    data = data.unbatch().apply(tf.data.experimental.assert_cardinality(len(texts)))
    data = data.cache()  # vectorised once, then read from memory every epoch
    if shuffle:
        data = data.shuffle(len(texts), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _check_labels(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
                  num_classes: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Return the labels as int arrays (n,) and the number of classes, after checking them."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape or len(y_true) == 0:
        raise ValueError(f"y_true and y_pred must be non-empty 1-D arrays of the same length (class indices, "
                         f"not one-hot or probabilities), got shapes {y_true.shape} and {y_pred.shape}")
    y_true, y_pred = as_int_array("y_true", y_true), as_int_array("y_pred", y_pred)  # (n,) each, >= 0
    if num_classes is None:
        num_classes = int(max(y_true.max(), y_pred.max())) + 1
    num_classes = check_int("num_classes", num_classes, 1)
    top = int(max(y_true.max(), y_pred.max()))
    if top >= num_classes:
        raise ValueError(f"class index {top} is out of range for num_classes={num_classes}")
    return y_true, y_pred, num_classes


def confusion_matrix(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
                     num_classes: int | None = None) -> np.ndarray:
    """Return the confusion matrix (num_classes, num_classes): entry [i, j] counts true class i predicted j.

    `num_classes` defaults to the largest index seen plus one; pass it so that a class that never occurs
    still gets its row and column.
    """
    y_true, y_pred, num_classes = _check_labels(y_true, y_pred, num_classes)
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)  # (true, predicted)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def macro_f1(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
             num_classes: int | None = None) -> float:
    """Return the macro-averaged F1 score: the unweighted mean over classes of 2 TP / (2 TP + FP + FN).

    Every class counts equally, however frequent, so a majority-class predictor scores low even where its
    accuracy is high. A class with no true and no predicted example (0 / 0) counts as F1 = 0, as in
    `keras.metrics.F1Score` and scikit-learn's default.
    """
    counts = confusion_matrix(y_true, y_pred, num_classes)  # (true, predicted)
    tp = np.diag(counts).astype(np.float64)  # (classes,)
    fp = counts.sum(axis=0) - tp  # predicted as the class, but not it
    fn = counts.sum(axis=1) - tp  # the class, but predicted as another
    denominator = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)  # (classes,)
    return float(f1.mean())
