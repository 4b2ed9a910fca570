"""Unit tests of utils/diagrams.py: every diagram draws quickly, fits a slide, renders a non-blank image with
text of 11 points or more, uses the notebooks' notation; bad arguments are refused with a message that says
what to pass instead."""

import io
import time

import matplotlib
import matplotlib.image
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from utils import diagrams

matplotlib.use("Agg")     # headless, before anything imports pyplot (the diagrams themselves never do)

DIAGRAMS = [diagrams.rnn_unrolled, diagrams.return_sequences,                          # 01
            diagrams.bptt_graph, diagrams.stateful_layout,                                # 02
            diagrams.lstm_cell, diagrams.peephole_lstm_cell,                              # 03
            diagrams.gru_cell, diagrams.gru_reset_after,                                  # 04
            diagrams.padding_and_mask,                                                    # 05
            diagrams.encoder_decoder, diagrams.beam_tree,                                 # 08
            diagrams.attention_lookup,                                                    # 09
            diagrams.self_attention_heads, diagrams.positional_encoding, diagrams.prenorm_block]   # 10
DPI = 100
MAX_PIXELS = ((diagrams.MAX_HEIGHT + 0.2) * DPI, (diagrams.MAX_WIDTH + 0.2) * DPI)   # tight box, 0.1 in pads
SECONDS_PER_DIAGRAM = 2.0   # drawing and rendering one takes about 0.3 s; loose, for a slow shared machine


def texts(fig: Figure) -> list[str]:
    """Return every non-empty string drawn in `fig`."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def render(fig: Figure, **options) -> np.ndarray:
    """Return `fig` rendered as a PNG and read back: an (height, width, 4) array of floats in [0, 1]."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, **options)
    buffer.seek(0)
    return matplotlib.image.imread(buffer, format="png")


def test_the_module_lists_every_diagram():
    public = {name for name in dir(diagrams) if callable(getattr(diagrams, name)) and not name.startswith("_")
              and getattr(diagrams, name).__module__ == diagrams.__name__}
    assert public == {f.__name__ for f in DIAGRAMS}
    for function in DIAGRAMS:
        assert f"`{function.__name__}`" in diagrams.__doc__, f"{function.__name__} is not in the table"
        assert function.__doc__.startswith("Return a figure")


@pytest.mark.parametrize("draw", DIAGRAMS, ids=lambda f: f.__name__)
def test_a_diagram_draws_fits_a_slide_and_is_not_blank(draw):
    start = time.perf_counter()
    fig = draw()
    width, height = fig.get_size_inches()
    # the tight box holds everything drawn: a label that strays off the canvas would make it larger
    image = render(fig, bbox_inches="tight", pad_inches=0.1)
    seconds = time.perf_counter() - start

    assert isinstance(fig, Figure)
    assert width <= diagrams.MAX_WIDTH and height <= diagrams.MAX_HEIGHT
    assert image.shape[0] <= MAX_PIXELS[0] and image.shape[1] <= MAX_PIXELS[1], image.shape
    artists = [a for ax in fig.axes for a in (*ax.patches, *ax.lines, *ax.texts, *ax.images)]
    assert len(artists) >= 10 and len(texts(fig)) >= 5
    ink = (image[..., :3] < 0.9).any(axis=-1)                 # (height, width) pixels that are not white
    assert 0.02 < ink.mean() < 0.6, f"{ink.mean():.1%} of the image is drawn"
    assert np.ptp(image[..., :3]) > 0.5                        # more than one colour
    small = {t.get_text(): t.get_fontsize() for t in fig.findobj(Text)
             if t.get_text() and t.get_fontsize() < 11}
    assert not small, f"text below 11 points is unreadable when projected: {small}"
    assert seconds < SECONDS_PER_DIAGRAM, f"{draw.__name__} took {seconds:.2f} s to draw and render"


def test_all_diagrams_draw_within_seconds_and_leave_pyplot_alone():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    start = time.perf_counter()
    for draw in DIAGRAMS:
        one = time.perf_counter()
        draw()
        assert time.perf_counter() - one < SECONDS_PER_DIAGRAM, draw.__name__
    assert time.perf_counter() - start < 10
    assert plt.get_fignums() == before, "a diagram registered a pyplot figure: Jupyter would show it twice"


def test_the_cells_use_the_notebooks_notation():
    lstm = " ".join(texts(diagrams.lstm_cell()))
    for symbol in ["$f_t$", "$i_t$", "$o_t$", r"$\tilde c_t$", "$c_{t-1}$", "$h_{t-1}$", "$x_t$", r"W_{xc}"]:
        assert symbol in lstm, symbol
    peephole = " ".join(texts(diagrams.peephole_lstm_cell()))
    assert all(f"w_{{{name}}}" in peephole for name in ("ci", "cf", "co"))
    gru = " ".join(texts(diagrams.gru_cell()))
    for symbol in ["$z_t$", "$r_t$", r"$\tilde h_t$", r"W_{x\tilde h}"]:
        assert symbol in gru, symbol
    # notebook 04 (Keras, Cho et al.): z_t keeps the old state
    assert r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t" in gru
    reset = " ".join(texts(diagrams.gru_reset_after()))
    assert r"r_t \odot (W_{h\tilde h}\,h_{t-1} + b_{h\tilde h})" in reset          # reset_after=True
    assert r"W_{h\tilde h}\,(r_t \odot h_{t-1})" in reset                          # reset_after=False
    attention = " ".join(texts(diagrams.attention_lookup()))
    assert "$q_t$" in attention and r"$[q_t;\ c_t]$" in attention and r"\alpha_{t,s}" in attention


def test_attention_draws_the_softmax_of_the_scores():
    scores = np.array([0.3, 2.2, 0.9, -0.5])
    weights = np.exp(scores) / np.exp(scores).sum()
    drawn = texts(diagrams.attention_lookup(("el", "gato", "negro", "duerme"), scores))
    assert all(f"{w:.2f}" in drawn for w in weights)


def best_line(fig: Figure) -> str:
    return next(t for t in texts(fig) if t.startswith("best:"))


def test_beam_tree_keeps_the_best_hypotheses_by_summed_log_probability():
    assert "\u201cthe cat sleeps\u201d (\u22121.4)" in best_line(diagrams.beam_tree())
    # greedy (width 1) takes "a" and is stuck with "x"; width 2 keeps "b" and finds "b y"
    log_probs = {(): {"a": -0.7, "b": -0.9}, ("a",): {"x": -2.0}, ("b",): {"y": -0.1}}
    assert "\u201ca x\u201d (\u22122.7)" in best_line(diagrams.beam_tree(log_probs, beam_width=1))
    assert "\u201cb y\u201d (\u22121.0)" in best_line(diagrams.beam_tree(log_probs, beam_width=2))


@pytest.mark.parametrize("draw, kwargs", [
    (diagrams.rnn_unrolled, {"steps": 1}), (diagrams.rnn_unrolled, {"steps": 5}),
    (diagrams.return_sequences, {"steps": 2}), (diagrams.bptt_graph, {"steps": 6, "window": None}),
    (diagrams.bptt_graph, {"steps": 5, "window": 1}),
    (diagrams.stateful_layout, {"sequences": 4, "chunks": 4}),
    (diagrams.stateful_layout, {"sequences": 1, "chunks": 2, "groups": 3}),
    (diagrams.padding_and_mask, {"token_ids": [[1, 2, 0, 0, 0, 0, 0], [3, 0, 0, 0, 0, 0, 0],
                                               [4, 5, 6, 7, 8, 9, 999], [1, 1, 1, 1, 0, 0, 0]]}),
    (diagrams.encoder_decoder, {"source": ["abcdefgh"] * 4, "target": ["a"] * 4, "prediction": ["b"] * 4}),
    (diagrams.attention_lookup, {"source": list("abcdef"), "scores": [1, 2, 3, 0, -1, 5]}),
    (diagrams.self_attention_heads, {"heads": 4, "d_model": 64}),
    (diagrams.self_attention_heads, {"heads": 1}),
    (diagrams.positional_encoding, {"length": 256, "d_model": 128}),
])
def test_the_extreme_arguments_still_fit(draw, kwargs):
    image = render(draw(**kwargs), bbox_inches="tight", pad_inches=0.1)
    assert image.shape[0] <= MAX_PIXELS[0] and image.shape[1] <= MAX_PIXELS[1], image.shape


@pytest.mark.parametrize("draw, kwargs, error, message", [
    (diagrams.rnn_unrolled, {"steps": 0}, ValueError, r"steps must be an int from 1 to 5, got 0 \(more does"),
    (diagrams.rnn_unrolled, {"steps": 6}, ValueError, "steps must be an int from 1 to 5, got 6"),
    (diagrams.rnn_unrolled, {"steps": 2.0}, TypeError, "steps must be an int, got float"),
    (diagrams.return_sequences, {"steps": 1}, ValueError, "steps must be an int from 2 to 5"),
    (diagrams.bptt_graph, {"steps": 4, "window": 5}, ValueError, "window must be an int from 1 to 4, got 5"),
    (diagrams.bptt_graph, {"steps": 7}, ValueError, "steps must be an int from 2 to 6"),
    (diagrams.stateful_layout, {"sequences": 5}, ValueError, "sequences must be an int from 1 to 4"),
    (diagrams.stateful_layout, {"chunks": 4, "groups": 3}, ValueError,
     r"chunks \* groups = 12 batches do not fit the figure; pass values whose product is at most 8"),
    (diagrams.padding_and_mask, {"token_ids": [[0, 5, 3], [1, 2, 3]]}, ValueError, "must be right-padded"),
    (diagrams.padding_and_mask, {"token_ids": [[0, 0, 0], [1, 2, 3]]}, ValueError, "padding only"),
    (diagrams.padding_and_mask, {"token_ids": [1, 2, 3]}, ValueError, "must be a 2-D integer array"),
    (diagrams.padding_and_mask, {"token_ids": [[1, 2, 3]] * 5}, ValueError, r"\(5, 3\); pass 1 to 4 rows"),
    (diagrams.padding_and_mask, {"token_ids": [[-1, 2]]}, ValueError, "token_ids must lie in"),
    (diagrams.padding_and_mask, {"token_ids": [[1000, 2]]}, ValueError, "below 1000"),
    (diagrams.padding_and_mask, {"token_ids": [[1.5, 2.0]]}, TypeError, "must hold integers"),
    (diagrams.encoder_decoder, {"source": []}, ValueError, "source must be a non-empty sequence"),
    (diagrams.encoder_decoder, {"source": "el gato"}, TypeError, "not one string"),
    (diagrams.encoder_decoder, {"source": ["a"] * 5}, ValueError, "source must hold 1 to 4 tokens, got 5"),
    (diagrams.encoder_decoder, {"prediction": ["the"]}, ValueError, "prediction must hold exactly 3 tokens"),
    (diagrams.encoder_decoder, {"target": ["understanding"]}, ValueError, "at most 8 characters"),
    (diagrams.encoder_decoder, {"target": [" "]}, ValueError, "pass a non-empty token"),
    (diagrams.beam_tree, {"beam_width": 0}, ValueError, "beam_width must be an int from 1 to 3"),
    (diagrams.beam_tree, {"log_probs": {(): {"a": 0.5}}}, ValueError, r"must be a number <= 0"),
    (diagrams.beam_tree, {"log_probs": {(): {"a": -0.1, "b": -0.2}}}, ValueError, "add up to more than 1"),
    (diagrams.beam_tree, {"log_probs": {(): {"a": float("-inf")}}}, ValueError, "finite log-probability"),
    (diagrams.beam_tree, {"log_probs": {}}, ValueError, r"no continuations of the start \(\)"),
    (diagrams.beam_tree, {"log_probs": {"the": {"a": -1.0}}}, ValueError, "must be a tuple of tokens"),
    (diagrams.beam_tree, {"log_probs": [((), {"a": -1.0})]}, ValueError, "log_probs must be a dict"),
    (diagrams.beam_tree, {"log_probs": {(): {"a": -0.5, "b": -1.0}, ("a",): {"c": -0.1}}}, ValueError,
     r"no continuations of the kept hypothesis \('b',\)"),
    (diagrams.beam_tree, {"log_probs": {(): {f"t{i}": -3.0 for i in range(5)}}}, ValueError, "1 to 4"),
    (diagrams.attention_lookup, {"scores": (1.0, 2.0)}, ValueError, r"one number per source token \(4\)"),
    (diagrams.attention_lookup, {"scores": (1.0, 2.0, float("nan"), 0.0)}, ValueError,
     r"scores\[2\] must be a number from -50 to 50"),
    (diagrams.attention_lookup, {"source": ["a"], "scores": [1.0]}, ValueError, "source must hold 2 to 6"),
    (diagrams.self_attention_heads, {"heads": 3, "d_model": 32}, ValueError, r"a multiple of heads \(3\)"),
    (diagrams.self_attention_heads, {"heads": 5}, ValueError, "heads must be an int from 1 to 4"),
    (diagrams.positional_encoding, {"d_model": 15}, ValueError, "d_model must be even"),
    (diagrams.positional_encoding, {"length": 1}, ValueError, "length must be an int from 2 to 256"),
])
def test_bad_arguments_are_refused_with_what_to_pass(draw, kwargs, error, message):
    with pytest.raises(error, match=message):
        draw(**kwargs)
