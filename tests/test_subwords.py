"""Unit tests of utils/subwords.py: SentencePiece trained in memory, with utils.seq2seq's id layout."""

from __future__ import annotations

import numpy as np
import pytest

from utils import subwords
from utils.seq2seq import END_ID, PAD_ID, START_ID, UNK_ID

TEXTS = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "the mat and the log"] * 20


@pytest.fixture(scope="module")
def processor():
    return subwords.train_sentencepiece(TEXTS, 300)


def test_special_ids_follow_seq2seq(processor):
    assert [processor.id_to_piece(i) for i in (UNK_ID, START_ID, END_ID)] == ["<unk>", "<s>", "</s>"]
    assert processor.pad_id() == PAD_ID and processor.get_piece_size() == 300


def test_round_trip_and_no_unknown_even_for_unseen_characters(processor):
    texts = ["The cat sat", "ein Hündchen, ¿qué? 猫"]          # capitals, unseen letters and scripts
    ids = subwords.encode(processor, texts)
    assert ids.dtype == np.int32 and ids.shape[0] == 2
    assert not np.any(ids == UNK_ID)                           # byte fallback: nothing is unknown
    assert subwords.decode(processor, ids) == ["the cat sat", "ein hündchen, ¿qué? 猫"]   # lower-cased


def test_decode_stops_at_end_and_skips_start(processor):
    ids = subwords.encode(processor, ["the cat"])
    framed = np.concatenate([[START_ID], ids[0], [END_ID], ids[0]])[None]
    assert subwords.decode(processor, framed) == ["the cat"]


def test_training_is_deterministic(processor):
    again = subwords.train_sentencepiece(TEXTS, 300)
    assert [again.id_to_piece(i) for i in range(300)] == [processor.id_to_piece(i) for i in range(300)]


def test_bad_inputs(processor):
    with pytest.raises(ValueError, match="empty"):
        subwords.train_sentencepiece([], 300)
    with pytest.raises(ValueError, match="vocab_size"):
        subwords.train_sentencepiece(TEXTS, 10)
    with pytest.raises(ValueError, match="smaller vocab_size"):
        subwords.train_sentencepiece(TEXTS, 5000)
    with pytest.raises(ValueError, match="model_type"):
        subwords.train_sentencepiece(TEXTS, 300, model_type="wordpiece")
    with pytest.raises(TypeError, match="SentencePieceProcessor"):
        subwords.encode("not a model", ["x"])
    with pytest.raises(ValueError):
        subwords.decode(processor, np.array([[5, 999]]))        # an id beyond the vocabulary
