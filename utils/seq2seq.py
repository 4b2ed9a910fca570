"""Sequence-to-sequence plumbing; imported by notebooks 08 (encoder-decoder), 09 (attention) and 12.

- `date_pairs`: a seeded generator of (written date, ISO date) pairs, e.g. "April 22, 2019" -> "2019-04-22";
- `make_seq2seq_vectorizer`, `texts_to_ids`, `ids_to_texts`: token <-> id conversion with a
  `keras.layers.TextVectorization` layer whose vocabulary starts with the four special tokens below
  (characters, phonemes or words; `utils.text.make_vectorizer` is the classifiers' one, without them);
- `standardize_sentence`: lowercase and split off punctuation (word-level translation);
- `teacher_forcing_dataset`: a `tf.data` pipeline of ((source, decoder input), decoder target) batches;
- `greedy_decode` and `beam_search`: batched, compiled decoders driven by a *step function*, so that any
  decoder (with or without attention) plugs in;
- `attention_seq2seq`, `attention_start_state`, `attention_step`: notebook 09's GRU encoder-decoder with
  attention (built there step by step and asserted equal to this one), for notebook 12 to compare against.

A step function has the signature `step_fn(tokens, state) -> (logits, new_state)`: `tokens` (batch,) int32 are
the previous output tokens, `state` is any nest (tensor, list, tuple or dict) of tensors whose first axis is
the batch (a GRU state, an LSTM's [h, c], or the encoder outputs and their mask for attention), and `logits`
(batch, vocab) score the next token. The decoders call it once per output step inside a `tf.function`.

Ids: 0 is padding, 1 the out-of-vocabulary token, 2 [START], 3 [END]. Sequences are right-padded with 0, the
layout that `Embedding(mask_zero=True)` masks and cuDNN's recurrent kernels accept.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from utils.checks import (
    as_int_array,
    as_texts,
    check_choice,
    check_int,
    check_no_empty_rows,
    check_number,
    check_text,
)

PAD, UNK, START, END = "", "[UNK]", "[START]", "[END]"
PAD_ID, UNK_ID, START_ID, END_ID = 0, 1, 2, 3
SPLITS = ("character", "whitespace")

StepFn = Callable[[tf.Tensor, Any], tuple[tf.Tensor, Any]]

# ---------------------------------------------------------------------------------------------- dates

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Every format names the day, month and year unambiguously (no 04/05/2019, which is April or May).
DATE_FORMATS = (
    "{month_name} {day}, {year}",            # April 22, 2019
    "{day} {month_name} {year}",            # 22 April 2019
    "{mon} {day}, {year}",                  # Apr 22, 2019
    "{day:02d}-{MON}-{year}",               # 22-APR-2019
    "{day:02d}.{month:02d}.{year}",         # 22.04.2019
    "{year}/{month}/{day}",                 # 2019/4/22
    "{month_name} {day} {year}",            # April 22 2019
)
WEEKDAY_FORMAT = "{weekday}, {month_name} {day}, {year}"  # Monday, April 22, 2019: longer, not in the default
FIRST_DATE, LAST_DATE = datetime.date(1950, 1, 1), datetime.date(2049, 12, 31)


def format_date(date: datetime.date, fmt: str) -> str:
    """Return `date` written in `fmt`, one of DATE_FORMATS (or any format using the same field names)."""
    check_text("fmt", fmt)
    month_name = MONTHS[date.month - 1]
    return fmt.format(day=date.day, month=date.month, year=date.year, month_name=month_name,
                      mon=month_name[:3], MON=month_name[:3].upper(), weekday=WEEKDAYS[date.weekday()])


def date_pairs(n: int, seed: int, formats: Sequence[str] = DATE_FORMATS) -> pd.DataFrame:
    """Return n generated date pairs: columns `source` (a written date) and `target` (the ISO date).

    Dates are drawn uniformly from 1950-01-01 to 2049-12-31 and written in a format drawn uniformly from
    `formats`, with a generator of their own seeded with `seed` (the global NumPy state is not touched):
    the same arguments always give the same pairs. Draw train and test sets with different seeds; the same
    date may occur in both, written in the same or another format, as it would in practice.
    """
    n = check_int("n", n, 1)
    formats = as_texts(formats, "formats")
    rng = np.random.default_rng(seed)
    days = rng.integers(0, (LAST_DATE - FIRST_DATE).days + 1, size=n)  # (n,)
    choices = rng.integers(0, len(formats), size=n)  # (n,)
    dates = [FIRST_DATE + datetime.timedelta(days=int(d)) for d in days]
    return pd.DataFrame({"source": [format_date(d, formats[c]) for d, c in zip(dates, choices, strict=True)],
                         "target": [d.isoformat() for d in dates]})


# ------------------------------------------------------------------------------------------ vocabulary


def standardize_sentence(text: tf.Tensor) -> tf.Tensor:
    """Return the sentences lowercased, with punctuation marks split off as tokens of their own.

    "Y dijo Dios: Sea la luz." -> "y dijo dios : sea la luz ." Spanish's opening marks (¿ ¡) and the curly
    and straight quotation marks become tokens too; apostrophes inside words stay ("god's"). Works on a
    string tensor of any shape (a TextVectorization `standardize` callable).
    """
    text = tf.strings.lower(text, encoding="utf-8")
    text = tf.strings.regex_replace(text, r"([.,;:!?¿¡()\"“”‘—-]|’\B|\B’)", r" \1 ")
    text = tf.strings.regex_replace(text, r"\s+", " ")
    return tf.strings.strip(text)


def make_seq2seq_vectorizer(texts: Sequence[str] | np.ndarray | pd.Series, split: str = "whitespace",
                    standardize: str | Callable | None = None,
                    max_tokens: int | None = None) -> keras.layers.TextVectorization:
    """Return a TextVectorization layer whose vocabulary is the specials, then the tokens of `texts` by count.

    Ids: 0 padding, 1 [UNK], 2 [START], 3 [END], then the tokens of `texts` (pass the training texts only),
    most frequent first (ties in reverse byte order, as TextVectorization's `adapt` breaks them).
    `split` is "character" (dates, spellings) or "whitespace" (phonemes, words); `standardize` is None (keep
    the text as it is), a Keras name such as "lower", or a callable such as `standardize_sentence`.
    `max_tokens` caps the vocabulary, specials included; rarer tokens become [UNK]. The layer returns
    right-padded int64 ids without [START]/[END] (`texts_to_ids` gives int32 arrays).
    """
    texts = as_texts(texts)
    check_choice("split", split, SPLITS)
    if max_tokens is not None and check_int("max_tokens", max_tokens, 1) < 5:
        raise ValueError(f"max_tokens must be >= 5 (four special tokens and one more), got {max_tokens}")
    counter = keras.layers.TextVectorization(split=split, standardize=standardize)
    counter.adapt(tf.constant(texts), batch_size=1024)
    tokens = [str(t) for t in counter.get_vocabulary()[2:] if t not in (START, END)]  # most frequent first
    if max_tokens is not None:
        tokens = tokens[:max_tokens - 4]
    return keras.layers.TextVectorization(split=split, standardize=standardize,
                                          vocabulary=[START, END, *tokens])


def _check_vectorizer(vectorizer: object) -> list[str]:
    """Return the vocabulary of a vectorizer made by `make_seq2seq_vectorizer`; raise on anything else."""
    if not isinstance(vectorizer, keras.layers.TextVectorization):
        raise TypeError(f"vectorizer must be a keras.layers.TextVectorization, "
                        f"got {type(vectorizer).__name__}")
    vocabulary = vectorizer.get_vocabulary()
    if vocabulary[:4] != [PAD, UNK, START, END]:
        raise ValueError(f"the vectorizer's vocabulary must start with {[PAD, UNK, START, END]} "
                         f"(use make_seq2seq_vectorizer), got {vocabulary[:4]}")
    return vocabulary


def texts_to_ids(vectorizer: keras.layers.TextVectorization, texts: Sequence[str] | np.ndarray | pd.Series,
           length: int | None = None) -> np.ndarray:
    """Return the token ids (n, time) int32 of `texts`, right-padded with 0 to the longest (or to `length`).

    With `length`, longer texts are cut to their first `length` tokens.
    """
    _check_vectorizer(vectorizer)
    texts = as_texts(texts)
    with tf.device("/CPU:0"):  # string ops: Keras < 3.15 may place them on a GPU (keras-team/keras#22406)
        ids = vectorizer(tf.constant(texts))  # (n, longest) int64
    if isinstance(ids, tf.RaggedTensor):
        ids = ids.to_tensor()
    ids = ids.numpy().astype(np.int32)
    if length is not None:
        length = check_int("length", length, 1)
        ids = np.pad(ids[:, :length], [(0, 0), (0, max(0, length - ids.shape[1]))])
    return ids


def ids_to_texts(vectorizer: keras.layers.TextVectorization, ids: np.ndarray | tf.Tensor,
           separator: str = " ") -> list[str]:
    """Return one string per row of `ids` (n, time): its tokens up to the first [END] or padding, joined.

    A leading [START] is skipped. Use separator="" for character-level vocabularies.
    """
    vocabulary = np.array(_check_vectorizer(vectorizer), dtype=object)
    ids = as_int_array("ids", ids, ndim=2, high=len(vocabulary))  # (n, time), below the vocabulary size
    check_text("separator", separator)
    texts = []
    for row in ids:
        if len(row) and row[0] == START_ID:
            row = row[1:]
        stops = np.flatnonzero((row == END_ID) | (row == PAD_ID))
        texts.append(separator.join(vocabulary[row[:stops[0] if len(stops) else len(row)]]))
    return texts


# ---------------------------------------------------------------------------------------- training data


def teacher_forcing_arrays(target_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the decoder's inputs and targets (n, time + 1) for right-padded target ids (n, time).

    Inputs are [START] y_1 ... y_T (the target shifted right), targets are y_1 ... y_T [END]: at every step
    the decoder reads the *true* previous token and is trained to predict the next one (teacher forcing).
    Both stay right-padded with 0.
    """
    target_ids = as_int_array("target_ids", target_ids, ndim=2)
    n, steps = target_ids.shape
    lengths = (target_ids != PAD_ID).sum(axis=1)  # (n,)
    if not np.array_equal(target_ids[:, :steps] != PAD_ID, np.arange(steps) < lengths[:, None]):
        raise ValueError("target_ids must be right-padded: no token after the first padding 0")
    decoder_in = np.concatenate([np.full((n, 1), START_ID), target_ids], axis=1).astype(np.int32)
    decoder_out = np.concatenate([target_ids, np.zeros((n, 1), target_ids.dtype)], axis=1).astype(np.int32)
    decoder_out[np.arange(n), lengths] = END_ID
    return decoder_in, decoder_out  # (n, time + 1) each


def _trim_padding(inputs: tuple[tf.Tensor, tf.Tensor], targets: tf.Tensor):
    """Return a batch with the time steps that are padding in every row dropped (source and target apart)."""
    source, decoder_in = inputs
    source_len = tf.reduce_max(tf.reduce_sum(tf.cast(source != PAD_ID, tf.int32), axis=1))
    target_len = tf.reduce_max(tf.reduce_sum(tf.cast(decoder_in != PAD_ID, tf.int32), axis=1))
    return (source[:, :source_len], decoder_in[:, :target_len]), targets[:, :target_len]


def teacher_forcing_dataset(source_ids: np.ndarray, target_ids: np.ndarray, batch_size: int = 64,
                            shuffle: bool = False, seed: int = 0) -> tf.data.Dataset:
    """Return a tf.data.Dataset of ((source, decoder input), decoder target) batches for `fit`.

    `source_ids` (n, S) and `target_ids` (n, T) are right-padded ids from `texts_to_ids`; the decoder input
    and target (n, T + 1) come from `teacher_forcing_arrays`. Pipeline: slices -> cache -> shuffle (training
    only, seeded, reshuffled every epoch) -> batch -> drop the columns that are padding in the whole batch ->
    prefetch.
    Elements: ((batch, S'), (batch, T')) int32 and (batch, T') int32, with S' <= S and T' <= T + 1.
    """
    source_ids = as_int_array("source_ids", source_ids, ndim=2)
    check_no_empty_rows("source_ids", source_ids, PAD_ID)  # a fully masked source: cuDNN refuses it in fit
    target_ids = as_int_array("target_ids", target_ids, ndim=2)
    if len(source_ids) != len(target_ids):
        raise ValueError(f"source_ids and target_ids must have one row per pair: {len(source_ids)} != "
                         f"{len(target_ids)}")
    batch_size = check_int("batch_size", batch_size, 1)
    decoder_in, decoder_out = teacher_forcing_arrays(target_ids)
    data = tf.data.Dataset.from_tensor_slices(((source_ids.astype(np.int32), decoder_in), decoder_out))
    data = data.cache()
    if shuffle:
        data = data.shuffle(len(source_ids), seed=seed, reshuffle_each_iteration=True)
    data = data.batch(batch_size)
    return data.map(_trim_padding).prefetch(tf.data.AUTOTUNE)


# -------------------------------------------------------------------------------------------- decoding


def _batch_size(state: Any) -> tf.Tensor:
    """Return the batch size (a scalar tensor): the first dimension of the state's first tensor."""
    return tf.shape(tf.nest.flatten(state)[0])[0]


def _next_logits(step_fn: StepFn, tokens: tf.Tensor, state: Any, start_id: int) -> tuple[tf.Tensor, Any]:
    """Return the step function's logits (batch, vocab) as float32, with padding and [START] ruled out."""
    logits, state = step_fn(tokens, state)
    logits = tf.cast(logits, tf.float32)
    vocab = tf.range(tf.shape(logits)[-1])
    never = tf.where((vocab == PAD_ID) | (vocab == start_id), -np.inf, 0.0)  # (vocab,): never emitted
    return logits + never, state


@tf.function(reduce_retracing=True)
def _greedy_loop(step_fn: StepFn, state: Any, max_length: int, start_id: int, end_id: int) -> tf.Tensor:
    """Return the greedy ids (batch, max_length), compiled; see greedy_decode."""
    batch = _batch_size(state)
    tokens = tf.fill([batch], tf.constant(start_id, tf.int32))  # (batch,) the decoder's next input
    finished = tf.zeros([batch], tf.bool)
    outputs = tf.TensorArray(tf.int32, size=0, dynamic_size=True, element_shape=tf.TensorShape([None]))
    for t in tf.range(max_length):
        logits, state = _next_logits(step_fn, tokens, state, start_id)  # (batch, vocab)
        best = tf.argmax(logits, axis=-1, output_type=tf.int32)  # (batch,)
        outputs = outputs.write(t, tf.where(finished, PAD_ID, best))
        finished = finished | (best == end_id)
        tokens = tf.where(finished, end_id, best)  # a finished row reads [END] again; its outputs are dropped
        if tf.reduce_all(finished):
            break
    ids = tf.transpose(outputs.stack())  # (batch, steps taken)
    return tf.pad(ids, [[0, 0], [0, max_length - tf.shape(ids)[1]]])  # (batch, max_length)


def _check_decoding(step_fn: object, state: Any, max_length: object) -> int:
    """Return max_length as an int after checking the decoder's arguments; raise on bad ones."""
    if not callable(step_fn):
        raise TypeError(f"step_fn must be callable as step_fn(tokens, state) -> (logits, state), "
                        f"got {type(step_fn).__name__}")
    flat = tf.nest.flatten(state)
    if not flat or any(not hasattr(s, "shape") or len(s.shape) == 0 for s in flat):
        raise ValueError("state must be a tensor or a nest of tensors, each with the batch as first axis")
    if len({int(s.shape[0]) for s in flat if s.shape[0] is not None}) > 1:
        raise ValueError(f"the state's tensors disagree on the batch size: {[tuple(s.shape) for s in flat]}")
    return check_int("max_length", max_length, 1)


def greedy_decode(step_fn: StepFn, state: Any, max_length: int, start_id: int = START_ID,
                  end_id: int = END_ID) -> np.ndarray:
    """Return the greedy output ids (batch, max_length) int32, [END] included, then padding 0.

    At each step the decoder reads its own previous output (starting from [START]) and keeps the most likely
    next token; a row stops at [END]. The loop runs as one compiled `tf.function` over the whole batch and
    stops early once every row has ended. `state` is the decoder's initial state (see the module docstring).
    """
    max_length = _check_decoding(step_fn, state, max_length)
    return _greedy_loop(step_fn, state, max_length, start_id, end_id).numpy()


def _gather_beams(values: tf.Tensor, beams: tf.Tensor) -> tf.Tensor:
    """Return values (batch * beam, ...) reordered so that row (b, k) is the old row (b, beams[b, k])."""
    batch, width = tf.shape(beams)[0], tf.shape(beams)[1]
    rows = beams + tf.range(batch)[:, None] * width  # (batch, beam): flat row indices
    return tf.gather(values, tf.reshape(rows, [-1]))


@tf.function(reduce_retracing=True)
def _beam_loop(step_fn: StepFn, state: Any, max_length: int, width: int, start_id: int, end_id: int,
               length_penalty: float) -> tuple[tf.Tensor, tf.Tensor]:
    """Return the beams (batch, width, max_length) and scores (batch, width), compiled; see beam_search."""
    batch = _batch_size(state)
    state = tf.nest.map_structure(lambda s: tf.repeat(s, width, axis=0), state)  # (batch * width, ...)
    tokens = tf.fill([batch * width], tf.constant(start_id, tf.int32))  # (batch * width,)
    # Only the first copy of each row is live at the start; the others would repeat it.
    scores = tf.tile(tf.concat([[0.0], tf.fill([width - 1], -np.inf)], 0)[None], [batch, 1])  # (batch, width)
    finished = tf.zeros([batch, width], tf.bool)
    lengths = tf.zeros([batch, width], tf.int32)
    ids = tf.zeros([batch, width, 0], tf.int32)  # (batch, width, steps so far)
    for _ in tf.range(max_length):
        tf.autograph.experimental.set_loop_options(
            shape_invariants=[(ids, tf.TensorShape([None, None, None]))])
        logits, state = _next_logits(step_fn, tokens, state, start_id)  # (batch * width, vocab)
        vocab = tf.shape(logits)[-1]
        log_probs = tf.reshape(tf.nn.log_softmax(logits), [batch, width, vocab])
        # A finished beam can only be extended by padding, at no cost: its score stays as it is.
        pad_only = tf.where(tf.range(vocab) == PAD_ID, 0.0, -np.inf)  # (vocab,)
        log_probs = tf.where(finished[..., None], pad_only, log_probs)
        total = tf.reshape(scores[..., None] + log_probs, [batch, width * vocab])
        scores, best = tf.math.top_k(total, k=width)  # (batch, width), best first
        beams, token = best // vocab, best % vocab  # which beam each survivor extends, with which token
        state = tf.nest.map_structure(lambda s, b=beams: _gather_beams(s, b), state)
        ids = tf.concat([tf.gather(ids, beams, batch_dims=1), token[..., None]], axis=2)
        was_finished = tf.gather(finished, beams, batch_dims=1)
        lengths = tf.gather(lengths, beams, batch_dims=1) + tf.cast(~was_finished, tf.int32)
        finished = was_finished | (token == end_id)
        tokens = tf.reshape(tf.where(finished, end_id, token), [-1])
        if tf.reduce_all(finished):
            break
    normalised = scores / tf.cast(tf.maximum(lengths, 1), tf.float32) ** length_penalty  # (batch, width)
    order = tf.argsort(normalised, axis=1, direction="DESCENDING", stable=True)
    ids = tf.gather(ids, order, batch_dims=1)
    ids = tf.pad(ids, [[0, 0], [0, 0], [0, max_length - tf.shape(ids)[2]]])  # (batch, width, max_length)
    return ids, tf.gather(normalised, order, batch_dims=1)


def beam_search(step_fn: StepFn, state: Any, max_length: int, beam_width: int = 4,
                length_penalty: float = 1.0, start_id: int = START_ID,
                end_id: int = END_ID) -> tuple[np.ndarray, np.ndarray]:
    """Return the beams (batch, beam_width, max_length) int32, best first, and scores (batch, beam_width).

    Keeps the `beam_width` most likely partial outputs of each row (summed log-probabilities); a beam that
    reached [END] stays, unchanged, among the candidates. At the end the beams are ranked by their
    log-probability divided by length ** length_penalty (0: none, so short outputs are favoured; 1: the mean
    log-probability per token). Ids are laid out as in `greedy_decode`, and `beam_width=1` gives exactly the
    greedy output. One compiled `tf.function` for the whole batch, which stops once every beam has ended.
    """
    max_length = _check_decoding(step_fn, state, max_length)
    beam_width = check_int("beam_width", beam_width, 1)
    length_penalty = check_number("length_penalty", length_penalty, minimum=0)
    ids, scores = _beam_loop(step_fn, state, max_length, beam_width, start_id, end_id, length_penalty)
    return ids.numpy(), scores.numpy()


def detokenize_sentence(text: str) -> str:
    """Return a sentence of space-separated tokens with the spaces around punctuation removed, as written.

    The inverse of `standardize_sentence` up to case: "god said , “ let there be light . ”" ->
    "god said, “let there be light.”". BLEU (sacrebleu) expects text as written, not tokens.
    """
    check_text("text", text)
    text = re.sub(r" ([.,;:!?)”’—-])", r"\1", text)
    return re.sub(r"([(“‘¿¡—-]) ", r"\1", text)


# ---------------------------------------------------------------------------- notebook 09's attention model


def attention_seq2seq(source_vocab: int, target_vocab: int, embedding_dim: int,
                      units: int) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Return (model, encoder, decoder): notebook 09's GRU encoder-decoder with dot-product attention.

    encoder: source ids (batch, S) -> memory (batch, S, units), context (batch, units): a bidirectional GRU
    of units // 2 per direction. decoder: previous tokens (batch, T), start state (batch, units), memory,
    source mask (batch, S) -> logits (batch, T, vocab), last state (batch, units), attention weights
    (batch, T, S): a GRU whose state queries the memory (Luong et al. 2015), then [state; context] -> Dense.
    model: (source ids, decoder input ids) -> logits, for teacher forcing. The layers are created in the
    order of notebook 09's `build_seq2seq`, so that one seed gives the same weights.
    """
    source_vocab = check_int("source_vocab", source_vocab, 5)   # the four specials and a token
    target_vocab = check_int("target_vocab", target_vocab, 5)
    embedding_dim = check_int("embedding_dim", embedding_dim, 1)
    units = check_int("units", units, 2)
    if units % 2:
        raise ValueError(f"units must be even (the encoder has units // 2 per direction), got {units}")
    source = keras.Input((None,), dtype="int32", name="source")
    x = keras.layers.Embedding(source_vocab, embedding_dim, mask_zero=True)(source)
    memory, forward, backward = keras.layers.Bidirectional(
        keras.layers.GRU(units // 2, return_sequences=True, return_state=True))(x)
    context = keras.layers.Concatenate()([forward, backward])
    encoder = keras.Model(source, [memory, context], name="encoder")

    previous = keras.Input((None,), dtype="int32", name="previous_tokens")
    start_state = keras.Input((units,), name="start_state")
    y = keras.layers.Embedding(target_vocab, embedding_dim, mask_zero=True)(previous)
    states, last_state = keras.layers.GRU(units, return_sequences=True, return_state=True)(
        y, initial_state=start_state)
    memory_in = keras.Input((None, units), name="memory")
    source_mask = keras.Input((None,), dtype="bool", name="source_mask")
    target_mask = keras.ops.not_equal(previous, PAD_ID)
    contexts, weights = keras.layers.Attention()(
        [states, memory_in], mask=[target_mask, keras.ops.expand_dims(source_mask, 1)],
        return_attention_scores=True)
    logits = keras.layers.Dense(target_vocab)(keras.layers.Concatenate()([states, contexts]))

    decoder_in = keras.Input((None,), dtype="int32", name="decoder_input")
    memory, context = encoder(source)
    decoder = keras.Model([previous, start_state, memory_in, source_mask], [logits, last_state, weights],
                          name="attention_decoder")
    logits = decoder([decoder_in, context, keras.ops.copy(memory), keras.ops.not_equal(source, PAD_ID)])[0]
    return keras.Model([source, decoder_in], logits), encoder, decoder


def attention_start_state(encoder: keras.Model, source_ids: np.ndarray | tf.Tensor) -> dict[str, tf.Tensor]:
    """Return the state for `attention_step`: {"h": context, "memory": memory, "mask": source mask}."""
    source_ids = check_no_empty_rows("source_ids", source_ids, PAD_ID)
    memory, context = encoder(source_ids)
    # keras.ops.copy: a plain tensor, without the padding mask Keras attaches to the encoder's outputs
    return {"h": context, "memory": keras.ops.copy(memory), "mask": keras.ops.not_equal(source_ids, PAD_ID)}


def attention_step(decoder: keras.Model) -> StepFn:
    """Return the step function of an `attention_seq2seq` decoder, for `greedy_decode` and `beam_search`."""
    if not isinstance(decoder, keras.Model) or len(decoder.inputs) != 4:
        raise TypeError("decoder must be the decoder returned by attention_seq2seq (four inputs), "
                        f"got {type(decoder).__name__}")

    def step(tokens: tf.Tensor, state: dict[str, tf.Tensor]) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        logits, h, _ = decoder([tokens[:, None], state["h"], state["memory"], state["mask"]])
        return logits[:, 0], {**state, "h": h}
    return step
