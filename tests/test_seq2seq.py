"""Unit tests of utils/seq2seq.py: the date generator, vocabularies, teacher forcing, and both decoders."""

from __future__ import annotations

import datetime

import keras
import numpy as np
import pytest
import tensorflow as tf

from utils import seq2seq
from utils.seq2seq import END_ID, PAD_ID, START_ID

# ---------------------------------------------------------------------------------------------- dates


def test_date_pairs_are_consistent():
    pairs = seq2seq.date_pairs(500, seed=0)
    assert list(pairs.columns) == ["source", "target"] and len(pairs) == 500
    for source, target in zip(pairs.source, pairs.target, strict=True):
        date = datetime.date.fromisoformat(target)
        assert seq2seq.FIRST_DATE <= date <= seq2seq.LAST_DATE
        assert source in {seq2seq.format_date(date, fmt) for fmt in seq2seq.DATE_FORMATS}
    assert pairs.source.str.len().max() <= 18 and (pairs.target.str.len() == 10).all()


def test_date_pairs_use_every_format():
    pairs = seq2seq.date_pairs(400, seed=1)
    assert pairs.source.str.contains(r"^\d\d\.\d\d\.\d{4}$").any()  # 22.04.2019
    assert pairs.source.str.contains(r"^\d{4}/\d{1,2}/\d{1,2}$").any()  # 2019/4/22
    assert pairs.source.str.contains(r"^\d\d-[A-Z]{3}-\d{4}$").any()  # 22-APR-2019
    weekdays = seq2seq.date_pairs(20, seed=1, formats=[seq2seq.WEEKDAY_FORMAT])
    assert weekdays.source.str.contains(r"^[A-Z][a-z]+day, ").all()  # Monday, April 22, 2019


def test_format_date_examples():
    date = datetime.date(2019, 4, 22)
    written = [seq2seq.format_date(date, fmt) for fmt in seq2seq.DATE_FORMATS]
    assert written == ["April 22, 2019", "22 April 2019", "Apr 22, 2019", "22-APR-2019", "22.04.2019",
                       "2019/4/22", "April 22 2019"]
    assert seq2seq.format_date(date, seq2seq.WEEKDAY_FORMAT) == "Monday, April 22, 2019"


def test_date_pairs_are_seeded_and_leave_global_state_alone():
    np.random.seed(0)
    expected = np.random.random(3)
    np.random.seed(0)
    a = seq2seq.date_pairs(50, seed=3)
    np.testing.assert_array_equal(np.random.random(3), expected)
    assert a.equals(seq2seq.date_pairs(50, seed=3))
    assert not a.equals(seq2seq.date_pairs(50, seed=4))


def test_date_pairs_bad_arguments():
    with pytest.raises(ValueError, match="n must be >= 1"):
        seq2seq.date_pairs(0, seed=0)
    with pytest.raises(TypeError, match="n must be an int"):
        seq2seq.date_pairs(2.5, seed=0)
    with pytest.raises(ValueError, match="formats"):
        seq2seq.date_pairs(5, seed=0, formats=[])


# ------------------------------------------------------------------------------------------ vocabulary


def test_standardize_and_detokenize_sentence():
    text = tf.constant(["Y dijo Dios: ¿Sea la luz?",
                        "God said, “Let there be light.” A fool’s lips, the sons’ land."])
    out = [t.decode() for t in seq2seq.standardize_sentence(text).numpy()]
    assert out[0] == "y dijo dios : ¿ sea la luz ?"
    assert out[1] == "god said , “ let there be light . ” a fool’s lips , the sons ’ land ."
    expected = "god said, “let there be light.” a fool’s lips, the sons’ land."
    assert seq2seq.detokenize_sentence(out[1]) == expected
    with pytest.raises(TypeError, match=r"text is a list \['a'\]; expected a str"):
        seq2seq.detokenize_sentence(["a"])
    with pytest.raises(TypeError, match="text is None; expected a str"):
        seq2seq.detokenize_sentence(None)


def test_make_seq2seq_vectorizer_puts_the_specials_first():
    vectorizer = seq2seq.make_seq2seq_vectorizer(["b a", "a c", "a"], split="whitespace")
    assert vectorizer.get_vocabulary() == ["", "[UNK]", "[START]", "[END]", "a", "c", "b"]  # ties: c before b
    capped = seq2seq.make_seq2seq_vectorizer(["b a", "a c", "a"], max_tokens=5)
    assert capped.get_vocabulary() == ["", "[UNK]", "[START]", "[END]", "a"]
    chars = seq2seq.make_seq2seq_vectorizer(["ab", "b"], split="character")
    assert chars.get_vocabulary()[4:] == ["b", "a"]


def test_encode_decode_round_trip_characters_and_words():
    words = ["cat", "a", "abc"]
    chars = seq2seq.make_seq2seq_vectorizer(words, split="character")
    ids = seq2seq.texts_to_ids(chars, words)
    assert ids.shape == (3, 3) and ids.dtype == np.int32
    assert ids[1].tolist()[1:] == [PAD_ID, PAD_ID]  # right-padded
    assert seq2seq.ids_to_texts(chars, ids, separator="") == words
    phonemes = ["K AE1 T", "AH0", "AE1 B"]
    tokens = seq2seq.make_seq2seq_vectorizer(phonemes)
    assert seq2seq.ids_to_texts(tokens, seq2seq.texts_to_ids(tokens, phonemes)) == phonemes  # case kept
    assert seq2seq.texts_to_ids(tokens, phonemes, length=5).shape == (3, 5)
    full = seq2seq.texts_to_ids(tokens, phonemes)
    assert seq2seq.texts_to_ids(tokens, phonemes, length=2)[0].tolist() == full[0, :2].tolist()


def test_encode_unknown_tokens():
    tokens = seq2seq.make_seq2seq_vectorizer(["a b a"])
    assert seq2seq.texts_to_ids(tokens, ["a z"]).tolist() == [[4, seq2seq.UNK_ID]]
    assert seq2seq.ids_to_texts(tokens, [[4, seq2seq.UNK_ID]]) == ["a [UNK]"]


def test_decode_stops_at_end_and_padding_and_skips_start():
    tokens = seq2seq.make_seq2seq_vectorizer(["a b c", "a b", "a"])
    ids = np.array([[START_ID, 4, 5, END_ID, 6], [4, PAD_ID, 5, 6, 6], [4, 5, 6, 4, 5]])
    assert seq2seq.ids_to_texts(tokens, ids) == ["a b", "a", "a b c a b"]


def test_vocabulary_bad_arguments():
    with pytest.raises(TypeError, match="not one string"):
        seq2seq.make_seq2seq_vectorizer("abc")
    with pytest.raises(ValueError, match="split"):
        seq2seq.make_seq2seq_vectorizer(["a"], split="word")
    with pytest.raises(ValueError, match="max_tokens must be >= 5"):
        seq2seq.make_seq2seq_vectorizer(["a"], max_tokens=4)
    with pytest.raises(ValueError, match="non-empty"):
        seq2seq.make_seq2seq_vectorizer([])
    plain = keras.layers.TextVectorization(vocabulary=["a", "b"])
    with pytest.raises(ValueError, match="use make_seq2seq_vectorizer"):
        seq2seq.texts_to_ids(plain, ["a"])
    tokens = seq2seq.make_seq2seq_vectorizer(["a b"])
    with pytest.raises(TypeError, match="TextVectorization"):
        seq2seq.ids_to_texts("not a layer", [[1]])
    with pytest.raises(ValueError, match="2-D integer"):
        seq2seq.ids_to_texts(tokens, [1, 2])
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 6\), got 99..99"):
        seq2seq.ids_to_texts(tokens, [[99]])
    with pytest.raises(TypeError, match="ids must hold integers"):
        seq2seq.ids_to_texts(tokens, [[1.0]])
    with pytest.raises(TypeError, match="separator is None"):
        seq2seq.ids_to_texts(tokens, [[4]], separator=None)


def encode_with_a_vectorizer(texts):
    """Return seq2seq.texts_to_ids of `texts` with a vectorizer adapted on good texts."""
    return seq2seq.texts_to_ids(seq2seq.make_seq2seq_vectorizer(["a b", "c"]), texts)


@pytest.mark.parametrize("function", [seq2seq.make_seq2seq_vectorizer, encode_with_a_vectorizer],
                         ids=["make_seq2seq_vectorizer", "texts_to_ids"])
@pytest.mark.parametrize("texts, error, match", [
    ([None], TypeError, r"texts\[0\] is None; expected a str"),
    (["a b", None], TypeError, r"texts\[1\] is None; expected a str"),
    (["a b", 7], TypeError, r"texts\[1\] is a int 7; expected a str"),
    (["a b", b"c"], TypeError, r"texts\[1\] is a bytes b'c'; expected a str"),
    ([["a", "b"]], TypeError, r"texts\[0\] is a list"),
    ([], ValueError, "texts must be a non-empty sequence"),
    (None, TypeError, "texts must be a sequence of strings, got None"),
    ("a b", TypeError, "not one string"),
])
def test_texts_are_checked_with_their_position(function, texts, error, match):
    with pytest.raises(error, match=match):
        function(texts)


def test_date_formats_are_checked():
    with pytest.raises(TypeError, match=r"formats\[1\] is None; expected a str"):
        seq2seq.date_pairs(5, seed=0, formats=["{year}", None])
    with pytest.raises(TypeError, match="formats must be a sequence of strings, not one string"):
        seq2seq.date_pairs(5, seed=0, formats="{year}")
    with pytest.raises(TypeError, match="fmt is None"):
        seq2seq.format_date(datetime.date(2019, 4, 22), None)


# ---------------------------------------------------------------------------------------- training data


def test_teacher_forcing_arrays_shift_by_one():
    target = np.array([[7, 8, 9], [7, 0, 0]])
    decoder_in, decoder_out = seq2seq.teacher_forcing_arrays(target)
    assert decoder_in.tolist() == [[START_ID, 7, 8, 9], [START_ID, 7, 0, 0]]
    assert decoder_out.tolist() == [[7, 8, 9, END_ID], [7, END_ID, 0, 0]]
    # the input at step t+1 is the target at step t: the decoder reads the true previous token
    np.testing.assert_array_equal(decoder_in[0, 1:], decoder_out[0, :-1])


def test_teacher_forcing_arrays_bad_inputs():
    with pytest.raises(ValueError, match="right-padded"):
        seq2seq.teacher_forcing_arrays(np.array([[0, 5, 6]]))
    with pytest.raises(ValueError, match="2-D integer"):
        seq2seq.teacher_forcing_arrays(np.array([5.0, 6.0]))


def test_teacher_forcing_dataset_batches_and_trims_padding():
    source = np.array([[5, 6, 0, 0, 0], [5, 0, 0, 0, 0], [5, 6, 7, 8, 0]])
    target = np.array([[9, 0, 0, 0], [9, 9, 0, 0], [9, 0, 0, 0]])
    data = seq2seq.teacher_forcing_dataset(source, target, batch_size=2)
    batches = list(data.as_numpy_iterator())
    assert len(batches) == 2
    (src, dec_in), dec_out = batches[0]
    assert src.shape == (2, 2) and dec_in.shape == (2, 3) and dec_out.shape == (2, 3)
    assert dec_out.tolist() == [[9, END_ID, 0], [9, 9, END_ID]]
    (src, dec_in), dec_out = batches[1]
    assert src.tolist() == [[5, 6, 7, 8]] and dec_in.tolist() == [[START_ID, 9]]


def test_teacher_forcing_dataset_shuffle_is_seeded():
    source = np.arange(1, 41).reshape(-1, 1)
    target = np.arange(1, 41).reshape(-1, 1) + 10

    def first_column(seed):
        data = seq2seq.teacher_forcing_dataset(source, target, batch_size=40, shuffle=True, seed=seed)
        return next(iter(data))[0][0].numpy()[:, 0]

    assert np.array_equal(first_column(1), first_column(1))
    assert not np.array_equal(first_column(1), first_column(2))
    assert sorted(first_column(1)) == list(range(1, 41))


def test_teacher_forcing_dataset_bad_inputs():
    with pytest.raises(ValueError, match="one row per pair"):
        seq2seq.teacher_forcing_dataset(np.ones((3, 2), int), np.ones((2, 2), int))
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        seq2seq.teacher_forcing_dataset(np.ones((3, 2), int), np.ones((3, 2), int), batch_size=0)


# -------------------------------------------------------------------------------------------- decoding


def table_step(log_table):
    """Return a step function whose next-token log-probabilities depend on the previous token only."""
    table = tf.constant(log_table, tf.float32)  # (vocab, vocab): row = previous token

    def step(tokens, state):
        return tf.gather(table, tokens), state

    return step


def branching_table(vocab=8):
    """A chain where greedy is wrong: after [START], 4 (p .6) or 5 (p .4); 4 spreads out, 5 ends (p .99)."""
    probs = np.full((vocab, vocab), 1e-3)
    probs[:, [PAD_ID, START_ID]] = 1e-30  # the decoders never emit these two
    probs[START_ID, [4, 5]] = [0.6, 0.4]
    probs[4, [5, 6, 7]] = [0.3, 0.3, 0.3]
    probs[5, END_ID] = 0.9
    probs[6, END_ID] = 0.9
    probs[7, END_ID] = 0.9
    probs[END_ID, END_ID] = 0.9
    return np.log(probs / probs.sum(axis=1, keepdims=True))


def dummy_state(batch):
    return tf.zeros((batch, 1))


def test_greedy_follows_the_argmax_and_stops_at_end():
    step = table_step(branching_table())
    ids = seq2seq.greedy_decode(step, dummy_state(3), max_length=6)
    assert ids.shape == (3, 6) and ids.dtype == np.int32
    assert ids[0].tolist() == [4, 5, END_ID, PAD_ID, PAD_ID, PAD_ID]  # 0.6 * 0.3 * 0.99 = 0.18


def test_greedy_respects_max_length():
    loop = np.full((8, 8), -10.0)
    loop[:, 4] = 0.0  # always 4, never [END]
    ids = seq2seq.greedy_decode(table_step(loop), dummy_state(2), max_length=3)
    assert ids.tolist() == [[4, 4, 4], [4, 4, 4]]


def test_beam_search_finds_the_better_sequence():
    step = table_step(branching_table())
    beams, scores = seq2seq.beam_search(step, dummy_state(2), max_length=6, beam_width=2, length_penalty=0.0)
    assert beams.shape == (2, 2, 6) and scores.shape == (2, 2)
    assert beams[0, 0].tolist() == [5, END_ID, 0, 0, 0, 0]  # 0.4 * 0.99 = 0.40 > 0.18
    table = branching_table()
    expected = table[START_ID, 5] + table[5, END_ID]
    assert scores[0, 0] == pytest.approx(expected, abs=1e-5)
    assert (np.diff(scores, axis=1) <= 0).all()  # best first


def test_beam_scores_are_the_log_probabilities_of_the_beams():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(9, 9)) * 2
    log_table = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    allowed = np.delete(logits, [PAD_ID, START_ID], axis=1)
    log_table_no_pad = np.log(np.exp(allowed).sum(axis=1, keepdims=True))
    beams, scores = seq2seq.beam_search(table_step(log_table), dummy_state(1), max_length=5, beam_width=3,
                                        length_penalty=0.0)
    for beam, score in zip(beams[0], scores[0], strict=True):
        previous, total = START_ID, 0.0
        for token in beam:
            if token == PAD_ID:
                break
            total += logits[previous, token] - log_table_no_pad[previous, 0]  # padding, [START] never emitted
            previous = token
        assert score == pytest.approx(total, abs=1e-4)


def test_length_penalty_reorders_the_beams():
    step = table_step(branching_table())
    short, _ = seq2seq.beam_search(step, dummy_state(1), max_length=6, beam_width=3, length_penalty=0.0)
    assert short[0, 0].tolist()[:2] == [5, END_ID]
    # per token, the short beam (log .4 + log .99) / 2 = -0.46 beats (log .6 + log .3 + log .99) / 3 = -0.57
    normalised, scores = seq2seq.beam_search(step, dummy_state(1), max_length=6, beam_width=3,
                                             length_penalty=1.0)
    assert normalised[0, 0].tolist()[:2] == [5, END_ID]
    table = branching_table()
    assert scores[0, 0] == pytest.approx((table[START_ID, 5] + table[5, END_ID]) / 2, abs=1e-5)
    long = (table[START_ID, 4] + table[4, 6] + table[6, END_ID]) / 3
    assert scores[0, 1] == pytest.approx(long, abs=1e-5)  # 4 then 5, 6 or 7: equal, the lowest id first


def gru_decoder(vocab=12, units=6, seed=0):
    """Return a small random GRU decoder as a step function, and its encoder-like initial states."""
    keras.utils.set_random_seed(seed)
    embed = keras.layers.Embedding(vocab, 5)
    cell = keras.layers.GRU(units, return_state=True)
    head = keras.layers.Dense(vocab)

    def step(tokens, state):
        output, state = cell(embed(tokens[:, None]), initial_state=state)  # (batch, units)
        return head(output) * 3.0, state

    state = tf.constant(np.random.default_rng(seed).normal(size=(16, units)), tf.float32)
    step(tf.zeros(16, tf.int32), state)  # build the layers here, not inside the decoders' tf.function
    return step, state


def test_beam_width_one_equals_greedy_on_a_gru_decoder():
    step, state = gru_decoder()
    greedy = seq2seq.greedy_decode(step, state, max_length=10)
    beams, _ = seq2seq.beam_search(step, state, max_length=10, beam_width=1)
    assert beams.shape == (16, 1, 10)
    np.testing.assert_array_equal(beams[:, 0], greedy)
    wide, _ = seq2seq.beam_search(step, state, max_length=10, beam_width=5)
    assert wide.shape == (16, 5, 10)


def test_outputs_are_padding_after_end():
    step, state = gru_decoder(seed=1)
    for ids in (seq2seq.greedy_decode(step, state, 12), seq2seq.beam_search(step, state, 12, 3)[0][:, 0]):
        assert (ids != START_ID).all()
        for row in ids:
            ends = np.flatnonzero(row == END_ID)
            if len(ends):
                assert (row[ends[0] + 1:] == PAD_ID).all()
            assert PAD_ID not in row[: ends[0] if len(ends) else len(row)]


def test_decoders_carry_a_nested_state():
    """An attention decoder keeps the encoder outputs and their mask in its state: both travel with it."""
    step, state = gru_decoder(seed=2)
    memory = tf.random.normal((16, 7, 3))
    mask = tf.sequence_mask(tf.range(16) % 7 + 1, 7)  # (batch, 7) bool

    def nested_step(tokens, nest):
        tf.debugging.assert_equal(tf.shape(nest["memory"])[0], tf.shape(tokens)[0])
        logits, h = step(tokens, nest["h"][0])
        return logits, {"h": [h], "memory": nest["memory"], "mask": nest["mask"]}

    nest = {"h": [state], "memory": memory, "mask": mask}
    greedy = seq2seq.greedy_decode(nested_step, nest, 8)
    np.testing.assert_array_equal(greedy, seq2seq.greedy_decode(step, state, 8))
    beams, _ = seq2seq.beam_search(nested_step, nest, 8, beam_width=1)
    np.testing.assert_array_equal(beams[:, 0], greedy)
    beams3, _ = seq2seq.beam_search(nested_step, nest, 8, beam_width=3)
    np.testing.assert_array_equal(beams3, seq2seq.beam_search(step, state, 8, beam_width=3)[0])


def test_decoder_bad_arguments():
    step = table_step(branching_table())
    with pytest.raises(TypeError, match="callable"):
        seq2seq.greedy_decode("step", dummy_state(1), 5)
    with pytest.raises(ValueError, match="max_length must be >= 1"):
        seq2seq.greedy_decode(step, dummy_state(1), 0)
    with pytest.raises(ValueError, match="nest of tensors"):
        seq2seq.greedy_decode(step, [], 5)
    with pytest.raises(ValueError, match="disagree on the batch size"):
        seq2seq.greedy_decode(step, [tf.zeros((2, 1)), tf.zeros((3, 1))], 5)
    with pytest.raises(ValueError, match="beam_width must be >= 1"):
        seq2seq.beam_search(step, dummy_state(1), 5, beam_width=0)
    with pytest.raises(ValueError, match="length_penalty"):
        seq2seq.beam_search(step, dummy_state(1), 5, length_penalty=-1)


def test_teacher_forcing_dataset_refuses_an_empty_source():
    source = np.array([[5, 6, 0], [0, 0, 0]])
    target = np.array([[7, 0], [8, 9]])
    with pytest.raises(ValueError, match=r"source_ids: 1 row\(s\) hold padding only"):
        seq2seq.teacher_forcing_dataset(source, target)


# ---------------------------------------------------------------------------- notebook 09's attention model


def test_attention_seq2seq_shapes_and_step_agree_with_teacher_forcing():
    keras.utils.set_random_seed(0)
    model, encoder, decoder = seq2seq.attention_seq2seq(12, 9, 4, 6)
    source = np.array([[5, 6, 7, 0], [8, 0, 0, 0]], dtype="int32")
    previous = np.array([[2, 4, 5], [2, 6, 0]], dtype="int32")
    logits = keras.ops.convert_to_numpy(model((source, previous)))               # (2, 3, 9)
    assert logits.shape == (2, 3, 9)
    step = seq2seq.attention_step(decoder)
    state = seq2seq.attention_start_state(encoder, source)
    assert state["memory"].shape == (2, 4, 6) and state["h"].shape == (2, 6)
    for t in range(2):                                 # one step at a time == the teacher-forced pass
        step_logits, state = step(keras.ops.convert_to_tensor(previous[:, t]), state)
        np.testing.assert_allclose(step_logits, logits[:, t], atol=1e-5)
    ids = seq2seq.greedy_decode(step, seq2seq.attention_start_state(encoder, source), 5)
    assert ids.shape == (2, 5)


def test_attention_seq2seq_masks_the_padding():
    keras.utils.set_random_seed(0)
    _, encoder, decoder = seq2seq.attention_seq2seq(12, 9, 4, 6)
    source = np.array([[5, 6, 0, 0]], dtype="int32")
    state = seq2seq.attention_start_state(encoder, source)
    _, _, weights = decoder([keras.ops.convert_to_tensor([[2]]), state["h"], state["memory"], state["mask"]])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(weights)[0, 0, 2:], 0)


@pytest.mark.parametrize("args, error, match", [
    ((3, 9, 4, 6), ValueError, "source_vocab"),
    ((12, 9, 0, 6), ValueError, "embedding_dim"),
    ((12, 9, 4, 5), ValueError, "even"),
])
def test_attention_seq2seq_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        seq2seq.attention_seq2seq(*args)


def test_attention_step_and_state_bad_inputs():
    _, encoder, decoder = seq2seq.attention_seq2seq(12, 9, 4, 6)
    with pytest.raises(TypeError, match="attention_seq2seq"):
        seq2seq.attention_step(encoder)
    with pytest.raises(ValueError, match="padding only"):
        seq2seq.attention_start_state(encoder, np.array([[5, 6], [0, 0]]))
