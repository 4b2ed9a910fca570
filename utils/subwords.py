"""Subword tokens from a library, SentencePiece (Kudo & Richardson, 2018); imported by notebook 12.

Notebook 12 writes byte-pair encoding by hand to show the idea, then uses `train_sentencepiece` for the real
thing. The ids follow `utils.seq2seq`'s layout (0 padding, 1 unknown, 2 [START], 3 [END]), so that
`teacher_forcing_dataset`, `greedy_decode` and `beam_search` work unchanged; with byte fallback every
character the training texts lacked is spelled in UTF-8 bytes, so no text ever gets the unknown id.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import numpy as np

from utils.checks import as_int_array, as_texts, check_choice, check_int
from utils.seq2seq import END_ID, PAD_ID, START_ID, UNK_ID

MODEL_TYPES = ("bpe", "unigram")


def _sentencepiece():
    try:
        import sentencepiece
    except ImportError as error:   # requirements.txt has it; Colab installs it in the set-up cell
        raise ImportError("utils.subwords needs the sentencepiece package: pip install 'sentencepiece>=0.2' "
                          "(or `make install`; on Colab the notebook's set-up cell installs it)") from error
    return sentencepiece


def train_sentencepiece(texts: Iterable[str], vocab_size: int, model_type: str = "bpe", *,
                        lowercase: bool = True):
    """Return a `sentencepiece.SentencePieceProcessor` with `vocab_size` pieces learnt from `texts`.

    Pass the training texts only. Trained in memory (no files), on one thread, so the same texts give the
    same pieces. `vocab_size` counts everything: the four special ids, the 256 byte pieces of the byte
    fallback and the learnt pieces. lowercase: NFKC normalisation with case folding (as
    `utils.seq2seq.standardize_sentence` lowercases word tokens).
    """
    texts = as_texts(texts, "texts")
    if not texts or not any(t.strip() for t in texts):
        raise ValueError("texts is empty: pass the training sentences to learn the pieces from")
    vocab_size = check_int("vocab_size", vocab_size, 4 + 256 + 1)
    model_type = check_choice("model_type", model_type, MODEL_TYPES)
    sentencepiece = _sentencepiece()
    model = io.BytesIO()
    try:
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(texts), model_writer=model, vocab_size=vocab_size, model_type=model_type,
            pad_id=PAD_ID, unk_id=UNK_ID, bos_id=START_ID, eos_id=END_ID, byte_fallback=True,
            character_coverage=1.0, num_threads=1, minloglevel=2,
            normalization_rule_name="nmt_nfkc_cf" if lowercase else "nmt_nfkc")
    except RuntimeError as error:
        if "Vocabulary size too high" in str(error):
            raise ValueError(f"vocab_size={vocab_size} is more than these {len(texts)} texts can fill "
                             f"({error}): use a smaller vocab_size or more text") from error
        raise
    return sentencepiece.SentencePieceProcessor(model_proto=model.getvalue())


def _check_processor(processor: object) -> None:
    if not hasattr(processor, "encode") or not hasattr(processor, "get_piece_size"):
        raise TypeError(f"processor must be a trained SentencePieceProcessor (see train_sentencepiece), "
                        f"got {type(processor).__name__}")


def encode(processor, texts: Sequence[str]) -> np.ndarray:
    """Return the ids (n, longest) int32 of `texts`, right-padded with 0, without [START]/[END]."""
    _check_processor(processor)
    rows = processor.encode(as_texts(texts, "texts"))
    ids = np.zeros((len(rows), max((len(r) for r in rows), default=0)), dtype="int32")
    for i, row in enumerate(rows):
        ids[i, :len(row)] = row
    return ids


def decode(processor, ids: np.ndarray) -> list[str]:
    """Return one text per row of `ids` (n, time): its pieces up to the first [END] or padding, detokenised.

    A leading [START] is skipped (the layout of `utils.seq2seq.ids_to_texts`).
    """
    _check_processor(processor)
    ids = as_int_array("ids", ids, ndim=2, high=processor.get_piece_size())
    texts = []
    for row in ids:
        if len(row) and row[0] == START_ID:
            row = row[1:]
        stops = np.flatnonzero((row == END_ID) | (row == PAD_ID))
        texts.append(processor.decode(row[:stops[0] if len(stops) else len(row)].tolist()))
    return texts
