"""Concept diagrams of the collection, one function per diagram; imported by notebooks 01, 02, 03, 04, 05, 08,
09 and 10.

Every function draws one idea in one visual style and in the notation of the notebooks' equations, and returns
the `matplotlib.figure.Figure` it drew. The figures are made without pyplot, so nothing is shown twice: make
the call the last line of a cell and Jupyter shows the figure once (`plt.show()` does not know these figures;
`fig.savefig(path)` writes one to a file). Each figure is at most 12 x 6 inches with text of 11 points or
more, so that it stays readable when projected.

| notebook | functions |
|---|---|
| 01 | `rnn_unrolled`, `return_sequences` |
| 02 | `bptt_graph`, `stateful_layout` |
| 03 | `lstm_cell`, `peephole_lstm_cell` |
| 04 | `gru_cell`, `gru_reset_after` |
| 05 | `padding_and_mask` |
| 08 | `encoder_decoder`, `beam_tree` |
| 09 | `attention_lookup` |
| 10 | `self_attention_heads`, `positional_encoding`, `prenorm_block` |

The style: boxes are layers or operations with weights (sigmoid gates orange, tanh lavender, other layers
grey), circles are point-wise operations (x, +, 1-), arrows carry vectors. Colours name what a line carries:
green the inputs x_t, blue the hidden states h_t, vermillion the LSTM cell state c_t, purple outputs and
losses, red (dashed) gradients, grey what is masked or pruned. All drawing goes through the private helpers
`_canvas`, `_box`, `_op`, `_arrow` and `_text`; the coordinates of every diagram are in inches from the
figure's lower-left corner.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path

from utils.checks import as_int_array, as_texts, check_int, check_no_empty_rows, check_number

# --- The style ----------------------------------------------------------------------------------------------
TEXT_SIZE = 13     # labels and box texts, in points
MATH_SIZE = 15     # the symbols that name vectors (x_t, h_t, c_t, ...)
SMALL_SIZE = 11    # shapes, weights and notes: the smallest text drawn
TITLE_SIZE = 14
MAX_WIDTH, MAX_HEIGHT = 12.0, 6.0   # inches: every figure fits a slide

INK = "#222222"        # operations, neutral arrows
INPUT = "#117733"      # inputs x_t, tokens, embeddings
STATE = "#0072B2"      # hidden states h_t (the decoder's s_t and q_t too)
CELL = "#D55E00"       # the LSTM cell state c_t
OUTPUT = "#AA3377"     # outputs y_t, losses, predictions
GRADIENT = "#CC3311"   # backward paths (dashed)
MUTED = "#8A8A8A"      # masked steps, pruned hypotheses
NOTE = "#555555"       # shapes and side notes
GATE_FILL = "#FFD59E"  # a layer with a sigmoid: a gate
TANH_FILL = "#E3D3F0"  # a layer with a tanh
LAYER_FILL = "#E6E6E6"  # any other layer (Dense, Embedding, LayerNorm, attention)
STATE_FILL = "#D3E6F5"  # a box that holds a state
INPUT_FILL = "#D5ECD9"
OUTPUT_FILL = "#F2D7E6"
SHADE = "#F1F1F1"       # background spans (a window, a block)
ROW_FILLS = ("#CFE3F3", "#FBE0C3", "#D5ECD9", "#EBD8EF")  # one per batch row (stateful layout)


# --- Private helpers: every diagram is drawn with these -----------------------------------------------------
def _canvas(width: float, height: float, title: str | None = None) -> tuple[Figure, Axes]:
    """Return a new figure of width x height inches and a hidden axes over all of it, in inch coordinates."""
    if width > MAX_WIDTH or height > MAX_HEIGHT:
        raise ValueError(f"a diagram must fit {MAX_WIDTH:g} x {MAX_HEIGHT:g} inches, got {width} x {height}")
    fig = Figure(figsize=(width, height))            # not pyplot's: shown once, as a cell's value
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, width), ylim=(0, height))        # 1 data unit = 1 inch, so circles stay round
    ax.set_axis_off()
    if title:
        _text(ax, (width / 2, height - 0.28), title, size=TITLE_SIZE)
    return fig, ax


def _text(ax: Axes, xy: tuple[float, float], text: str, *, color: str = INK, size: float = MATH_SIZE,
          **kwargs) -> None:
    """Write `text` (math text allowed) centred at xy unless ha/va say otherwise."""
    kwargs = {"ha": "center", "va": "center", "zorder": 5, **kwargs}
    ax.text(*xy, text, color=color, fontsize=size, **kwargs)


def _box(ax: Axes, xy: tuple[float, float], text: str, *, fill: str = LAYER_FILL, size: tuple = (1.0, 0.5),
         sub: str | None = None, color: str = INK, edge: str = INK, dashed: bool = False,
         text_size: float = TEXT_SIZE) -> None:
    """Draw a rounded box centred at xy (a layer or an operation), with `text` and an optional second line."""
    (x, y), (w, h) = xy, size
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.08",
                                fc=fill, ec=edge, lw=1.4, ls="--" if dashed else "-", zorder=3))
    if sub is None:
        _text(ax, xy, text, color=color, size=text_size)
    else:
        _text(ax, (x, y + h * 0.2), text, color=color, size=text_size)
        _text(ax, (x, y - h * 0.24), sub, color=color, size=SMALL_SIZE)


def _op(ax: Axes, xy: tuple[float, float], text: str, *, radius: float = 0.18, color: str = INK,
        fill: str = "white", size: float = TEXT_SIZE) -> None:
    """Draw a point-wise operation: a circle with its sign (x, +, 1-)."""
    ax.add_patch(Circle(xy, radius, fc=fill, ec=color, lw=1.4, zorder=3))
    _text(ax, xy, text, color=color, size=size)


def _arrow(ax: Axes, *points: tuple[float, float], color: str = INK, lw: float = 1.6, dashed: bool = False,
           head: bool = True, hop: bool = False) -> None:
    """Draw a line through `points` with an arrow head at the last one; `hop`: over the lines it crosses."""
    style = "-|>,head_length=0.55,head_width=0.28" if head else "-"
    ax.add_patch(FancyArrowPatch(path=Path(points), arrowstyle=style, mutation_scale=14, color=color, lw=lw,
                                 ls=(0, (4, 2.5)) if dashed else "-", capstyle="round", joinstyle="round",
                                 zorder=2.5 if hop else 2))
    if hop:   # a white band under the line, away from its ends, hides the lines it crosses
        inner = _trim(np.array(points, dtype=float), 0.15)
        ax.plot(*inner.T, color="white", lw=lw + 6, solid_capstyle="butt", zorder=2.4)


def _trim(points: np.ndarray, length: float) -> np.ndarray:
    """Return the polyline `points` (n, 2) shortened by `length` inches at both ends."""
    for _ in range(2):
        first, second = points[0], points[1]
        step = max(float(np.linalg.norm(second - first)), 1e-9)
        points = np.vstack([first + (second - first) * min(length / step, 0.5), points[1:]])
        points = points[::-1]
    return points


def _count(name: str, value: object, low: int, high: int, why: str = "more does not fit a slide") -> int:
    """Return `value` if it is an int from low to high; raise ValueError saying what to pass otherwise."""
    try:
        return check_int(name, value, low, high)
    except ValueError as error:
        raise ValueError(f"{error} ({why})") from None


def _tokens(name: str, tokens: Sequence[str], low: int, high: int, longest: int = 10) -> list[str]:
    """Return `tokens` as a list of `low` to `high` non-empty strings of at most `longest` characters."""
    tokens = as_texts(tokens, name)
    if not low <= len(tokens) <= high:
        span = f"exactly {low}" if low == high else f"{low} to {high}"
        raise ValueError(f"{name} must hold {span} tokens, got {len(tokens)}")
    for i, token in enumerate(tokens):
        if not token.strip() or len(token) > longest:
            raise ValueError(f"{name}[{i}] is {token!r}; pass a non-empty token of at most {longest} "
                             "characters (a longer one does not fit its box)")
    return tokens


def _minus(text: str) -> str:
    """Return `text` with hyphens written as minus signs (for numbers)."""
    return text.replace("-", "\u2212")


def _escape(token: str) -> str:
    """Return `token` with the characters that matplotlib reads as math ($) escaped."""
    return token.replace("$", r"\$")


# --- 01: the simple RNN -------------------------------------------------------------------------------------
def rnn_unrolled(steps: int = 3) -> Figure:
    """Return a figure of the simple RNN folded (one cell, a loop through W_h) and unrolled over `steps`.

    The unrolled cells are drawn identically, with the same W_x, W_h and b, to show the weights shared across
    time; the shapes say what goes in, (batch, time, features), and what comes out by default, (batch, units).
    """
    steps = _count("steps", steps, 1, 5)
    fig, ax = _canvas(12, 4.6, "A simple RNN, folded (left) and unrolled over time (right): "
                                "the same $W_x, W_h, b$ at every step")
    cell = dict(fill=TANH_FILL, size=(1.1, 0.72), sub=r"$W_x,\ W_h,\ b$")
    y = 2.15
    # folded: one cell whose state loops back
    _box(ax, (1.55, y), "tanh", **cell)
    _arrow(ax, (1.55, 1.05), (1.55, y - 0.36), color=INPUT)
    _text(ax, (1.55, 0.85), "$x_t$", color=INPUT)
    _arrow(ax, (1.55, y + 0.36), (1.55, 3.55), color=STATE)
    _text(ax, (1.55, 3.78), "$h_t$", color=STATE)
    _arrow(ax, (1.55, 3.0), (2.55, 3.0), (2.55, y), (2.1, y), color=STATE)
    _text(ax, (2.62, 2.6), "$h_{t-1}$", color=STATE, ha="left", size=TEXT_SIZE)
    _text(ax, (1.6, 0.3), r"$h_t = \tanh(W_x\,x_t + W_h\,h_{t-1} + b)$", size=TEXT_SIZE)
    _text(ax, (3.55, y), "=", size=28, color=MUTED)
    # unrolled: h_0 = 0, then one identical cell per step
    left, right = 4.9, 11.4
    spacing = (right - left) / steps
    xs = [left + spacing * (t + 0.5) for t in range(steps)]
    _text(ax, (4.25, y), "$h_0 = 0$", color=STATE, size=TEXT_SIZE)
    previous = 4.7
    for t, x in enumerate(xs, start=1):
        _box(ax, (x, y), "tanh", **cell)
        _arrow(ax, (previous, y), (x - 0.55, y), color=STATE)
        if t > 1:
            _text(ax, ((previous + x - 0.55) / 2, y + 0.22), f"$h_{{{t - 1}}}$", color=STATE,
                  size=TEXT_SIZE)
        _arrow(ax, (x, 1.05), (x, y - 0.36), color=INPUT)
        _text(ax, (x, 0.85), f"$x_{{{t}}}$", color=INPUT)
        _arrow(ax, (x, y + 0.36), (x, 3.55), color=STATE)
        _text(ax, (x, 3.78), f"$h_{{{t}}}$", color=STATE)
        previous = x + 0.55
    _text(ax, ((left + right) / 2, 0.42), "in: $x$ (batch, time, features), one $x_t$ (batch, features) "
                                          "per step", size=SMALL_SIZE, color=INPUT)
    _text(ax, ((left + right) / 2, 0.12), "out: the last state $h_T$ (batch, units); with "
                                          "return_sequences=True every $h_t$, (batch, time, units)",
          size=SMALL_SIZE, color=STATE)
    return fig


def return_sequences(steps: int = 4) -> Figure:
    """Return a figure of what a recurrent layer returns: h_T only (the default) or h_1..h_T.

    Left `return_sequences=False`, the last state (batch, units); right `return_sequences=True`, every state
    stacked along time, (batch, time, units).
    """
    steps = _count("steps", steps, 2, 5)
    fig, ax = _canvas(12, 4.4, "What a recurrent layer returns")
    for panel, (left, every) in enumerate([(0.3, False), (6.3, True)]):
        spacing = 5.4 / steps
        xs = [left + spacing * (t + 0.5) for t in range(steps)]
        y = 1.75
        _text(ax, (left + 2.7, 3.75), f"return_sequences={every}" + ("" if every else "  (the default)"),
              size=TEXT_SIZE)
        width = min(0.8, spacing - 0.35)
        for t, x in enumerate(xs, start=1):
            _box(ax, (x, y), "RNN", fill=STATE_FILL, size=(width, 0.5))
            if t > 1:
                _arrow(ax, (xs[t - 2] + width / 2, y), (x - width / 2, y), color=STATE)
            _arrow(ax, (x, 0.8), (x, y - 0.25), color=INPUT)
            label = "$x_T$" if t == steps else f"$x_{{{t}}}$"
            _text(ax, (x, 0.6), label, color=INPUT, size=TEXT_SIZE)
            returned = every or t == steps
            _arrow(ax, (x, y + 0.25), (x, 2.65), color=STATE if returned else MUTED, dashed=not returned)
            label = "$h_T$" if t == steps else f"$h_{{{t}}}$"
            _text(ax, (x, 2.85), label, color=STATE if returned else MUTED, size=TEXT_SIZE)
        first = xs[0] if every else xs[-1]
        ax.add_patch(Rectangle((first - 0.35, 2.6), xs[-1] - first + 0.7, 0.52, fill=False, ec=OUTPUT, lw=2,
                               zorder=4))
        shape = "(batch, time, units)" if every else "(batch, units)"
        _text(ax, (left + 2.7, 3.35), f"returned: {shape}", color=OUTPUT, size=TEXT_SIZE)
        _text(ax, (left + 2.7, 0.22), "input (batch, time, features)", color=INPUT, size=SMALL_SIZE)
        if panel == 0:
            ax.plot([6.0, 6.0], [0.2, 3.9], color=MUTED, lw=1)
    return fig


# --- 02: backpropagation through time -----------------------------------------------------------------------
def bptt_graph(steps: int = 4, window: int | None = 2) -> Figure:
    """Return a figure of BPTT on the unrolled RNN: forward arrows, losses L_t, and the gradient paths back.

    At every h_t the gradient has two parts (notebook 02): the direct one through its own output,
    dL_t/dh_t = W_y^T delta^y_t, and the one through h_{t+1}, W_h^T delta^a_{t+1}; their sum is the total
    derivative, which notebook 02 writes dL/dh_t.
    With `window` = K the steps are cut into windows of K (shaded): the forward pass carries the state across,
    the gradient stops at each window's edge (truncated BPTT). `window=None` draws full BPTT.
    """
    steps = _count("steps", steps, 2, 6)
    if window is not None:
        window = _count("window", window, 1, steps, "the truncation length K, at most the number of steps")
    fig, ax = _canvas(12, 6, "Backpropagation through time" + ("" if window is None else
                                                                 f", truncated every K = {window} steps"))
    spacing = 9.9 / steps
    xs = [1.5 + spacing * (t + 0.5) for t in range(steps)]
    y_x, y_h, y_y, y_l = 1.45, 2.55, 3.6, 4.55
    if window is not None:
        for start in range(0, steps, window):
            stop = min(start + window, steps) - 1
            left, right = xs[start] - spacing / 2 + 0.08, xs[stop] + spacing / 2 - 0.08
            ax.add_patch(FancyBboxPatch((left, 2.0), right - left, 3.05, fc=SHADE, ec="none", zorder=0,
                                        boxstyle="round,pad=0,rounding_size=0.1"))
            _text(ax, ((left + right) / 2, 5.25), f"window: steps {start + 1}-{stop + 1}" if stop > start
                  else f"window: step {start + 1}", size=SMALL_SIZE, color=NOTE)
    _text(ax, (0.55, y_h), "$h_0$", color=STATE, size=TEXT_SIZE)
    _text(ax, (0.25, y_l), r"$L = \sum_t L_t$", color=OUTPUT, size=TEXT_SIZE, ha="left")
    for t, x in enumerate(xs, start=1):
        _box(ax, (x, y_h), f"$h_{{{t}}}$", fill=STATE_FILL, size=(0.7, 0.46), color=STATE,
             text_size=MATH_SIZE)
        _box(ax, (x, y_y), f"$y_{{{t}}}$", fill=OUTPUT_FILL, size=(0.6, 0.42), color=OUTPUT)
        _text(ax, (x, y_l), f"$L_{{{t}}}$", color=OUTPUT)
        _text(ax, (x, y_x - 0.45), f"$x_{{{t}}}$", color=INPUT)
        _arrow(ax, (x - 0.12, y_x - 0.25), (x - 0.12, y_h - 0.23), color=INPUT)       # forward
        _arrow(ax, (x - 0.12, y_h + 0.23), (x - 0.12, y_y - 0.21))
        _arrow(ax, (x - 0.12, y_y + 0.21), (x - 0.12, y_l - 0.2), color=OUTPUT)
        _arrow(ax, (x + 0.14, y_l - 0.2), (x + 0.14, y_y + 0.21), color=GRADIENT, dashed=True)  # backward
        _arrow(ax, (x + 0.14, y_y - 0.21), (x + 0.14, y_h + 0.23), color=GRADIENT, dashed=True)
        _text(ax, (x - 0.02, y_h - 0.42), rf"$\partial L/\partial h_{{{t}}}$", color=GRADIENT,
              size=SMALL_SIZE, ha="left")
        start = xs[t - 2] + 0.35 if t > 1 else 0.8
        _arrow(ax, (start, y_h + 0.1), (x - 0.35, y_h + 0.1), color=STATE)
        if t < steps:
            cut = window is not None and t % window == 0
            mid = x + spacing / 2
            if cut:
                _arrow(ax, (xs[t] - 0.35, y_h - 0.1), (mid + 0.12, y_h - 0.1), color=GRADIENT, dashed=True,
                       head=False)
                _text(ax, (mid, y_h - 0.1), r"$\times$", color=GRADIENT, size=20)
            else:
                _arrow(ax, (xs[t] - 0.35, y_h - 0.1), (x + 0.35, y_h - 0.1), color=GRADIENT, dashed=True)
    # the two parts of the gradient at one step, named once
    _text(ax, (xs[0] + 0.22, (y_y + y_h) / 2 + 0.05), r"$W_y^\top \delta^y_t$", color=GRADIENT,
          size=SMALL_SIZE, ha="left")
    if window != 1:
        _text(ax, (xs[0] + spacing / 2, y_h - 0.6), r"$W_h^\top \delta^a_{t+1}$", color=GRADIENT,
              size=SMALL_SIZE, va="top")
    legend = [
        (STATE, False, "forward: the state is carried on" + (", across windows too" if window else "")),
        (GRADIENT, True, r"direct: $\partial L_t/\partial h_t = W_y^\top\delta^y_t$, through $y_t$ only"),
        (GRADIENT, True, r"total: $\partial L/\partial h_t = W_y^\top\delta^y_t + W_h^\top\delta^a_{t+1}$,"
                         r" also through $h_{t+1}$"),
    ]
    if window is not None:
        legend.append((GRADIENT, None, r"$\times$ truncated: no gradient crosses a window's edge"))
    for i, (color, dashed, label) in enumerate(legend):
        x, y = 0.4 + 5.9 * (i // 2), 0.62 - 0.4 * (i % 2)
        if dashed is not None:
            _arrow(ax, (x, y), (x + 0.55, y), color=color, dashed=dashed)
        _text(ax, (x + 0.7, y), label, size=SMALL_SIZE, ha="left")
    return fig


def stateful_layout(sequences: int = 3, chunks: int = 3, groups: int = 2) -> Figure:
    """Return a figure of the batches a stateful RNN reads: chunk k of each sequence of a group is batch k.

    Row j of each batch continues row j of the batch before (arrows: the state is carried); between groups of
    independent sequences the state is reset (`layer.reset_state()`), as notebook 02's `to_chunks` arranges.
    """
    sequences = _count("sequences", sequences, 1, 4, "the batch size B: one row per sequence")
    chunks = _count("chunks", chunks, 1, 4, "chunks per sequence")
    groups = _count("groups", groups, 1, 3, "groups of independent sequences")
    if chunks * groups > 8:
        raise ValueError(f"chunks * groups = {chunks * groups} batches do not fit the figure; pass values "
                         "whose product is at most 8")
    fig, ax = _canvas(12, 5.6, "A stateful RNN reads consecutive chunks: row j of a batch continues row j "
                               "of the one before")
    # the data: each group's sequences, cut into chunks
    group_width = 11.0 / groups
    for g in range(groups):
        left = 0.9 + g * group_width
        bar = min(group_width - 0.9, 4.2)
        names = (f"sequences {g * sequences + 1}-{(g + 1) * sequences}" if sequences > 1 else
                 f"sequence {g + 1}")
        _text(ax, (left + bar / 2, 5.0), f"group {g + 1}: {names}", size=SMALL_SIZE)
        for j in range(sequences):
            y = 4.62 - 0.28 * j
            _text(ax, (left - 0.08, y), f"seq {g * sequences + j + 1}", size=SMALL_SIZE, ha="right")
            for k in range(chunks):
                ax.add_patch(Rectangle((left + bar * k / chunks, y - 0.12), bar / chunks, 0.24,
                                       fc=ROW_FILLS[j], ec=INK, lw=1, zorder=3))
                _text(ax, (left + bar * (k + 0.5) / chunks, y), f"{k + 1}", size=SMALL_SIZE)
    # the batches, in the order fit() reads them (shuffle=False)
    n_batches = chunks * groups
    gap, group_gap = 0.32, 0.55
    spare = 10.6 - (n_batches - groups) * gap - (groups - 1) * group_gap
    width = min(1.2, spare / n_batches)
    one_line = width >= 1.15                            # else "seq 1" and "ch 1" on two lines
    total = n_batches * width + (n_batches - groups) * gap + (groups - 1) * group_gap
    left = (12 - total) / 2 + 0.3
    row_height = 0.5
    top = 4.62 - 0.28 * (sequences - 1) - 1.05         # the first row of batches
    x = left
    for g in range(groups):
        for k in range(chunks):
            b = g * chunks + k
            _text(ax, (x + width / 2, top + 0.42), f"batch {b + 1}", size=SMALL_SIZE)
            for j in range(sequences):
                y = top - row_height * j
                ax.add_patch(Rectangle((x, y - 0.22), width, 0.44, fc=ROW_FILLS[j], ec=INK, lw=1, zorder=3))
                _text(ax, (x + width / 2, y), f"seq {g * sequences + j + 1}{', ' if one_line else chr(10)}"
                      f"ch {k + 1}", size=SMALL_SIZE, linespacing=0.95)
                if k > 0:
                    _arrow(ax, (x - gap, y), (x, y), color=STATE, lw=2)
            x += width + (gap if k < chunks - 1 else 0)
        if g < groups - 1:
            mid = x + group_gap / 2
            ax.plot([mid, mid], [top + 0.3, top - row_height * (sequences - 1) - 0.3], color=STATE, lw=2,
                    ls=(0, (2, 2)))
            _text(ax, (mid, top - row_height * (sequences - 1) - 0.35), "reset_state(): $h = 0$",
                  color=STATE, size=SMALL_SIZE, va="top")
            x += group_gap
    for j in range(sequences):
        _text(ax, (left - 0.15, top - row_height * j), f"row {j + 1}", size=SMALL_SIZE, ha="right")
    _text(ax, (6, top + 0.72), "each sequence is cut into chunks of K steps (ch); fit() reads the batches in "
                               "order (shuffle=False)", size=SMALL_SIZE)
    _text(ax, (6, 0.5), "arrows: the last state of a row is the initial state of the same row in the next "
                         "batch; the gradient stops at each batch (truncated BPTT)", size=SMALL_SIZE)
    _text(ax, (6, 0.18), "needs: a fixed batch size, fit(shuffle=False), reset_state() between groups, "
                         "before evaluate() and predict()", size=SMALL_SIZE)
    return fig


# --- 03: the LSTM -------------------------------------------------------------------------------------------
def _lstm(title: str, peephole: bool) -> Figure:
    """Return the LSTM cell figure, with the peephole connections of Gers & Schmidhuber (2000) if asked."""
    fig, ax = _canvas(11.5, 5.6 if peephole else 5.3, title)
    top, gates, bus = 4.3, 2.15, 0.95
    f_x, i_x, c_x, o_x, add_x, tanh_x, right = 3.1, 4.75, 6.45, 8.15, 5.6, 9.45, 11.2
    box = dict(size=(1.45, 0.78))
    # the cell state's path: one product, one sum
    _arrow(ax, (0.35, top), (f_x - 0.18, top), color=CELL, lw=3.2, head=False)
    _arrow(ax, (f_x + 0.18, top), (add_x - 0.18, top), color=CELL, lw=3.2, head=False)
    _arrow(ax, (add_x + 0.18, top), (right, top), color=CELL, lw=3.2)
    _text(ax, (0.35, top + 0.3), "$c_{t-1}$", color=CELL, ha="left")
    _text(ax, (right, top + 0.3), "$c_t$", color=CELL, ha="right")
    _op(ax, (f_x, top), r"$\times$")
    _op(ax, (add_x, top), "+")
    # h_{t-1} and x_t feed the four layers
    _arrow(ax, (0.35, bus), (o_x, bus), color=STATE, head=False)
    _text(ax, (0.35, bus + 0.25), "$h_{t-1}$", color=STATE, ha="left")
    _arrow(ax, (1.6, 0.2), (1.6, bus), color=INPUT, head=False)
    _text(ax, (1.75, 0.3), "$x_t$", color=INPUT, ha="left")
    ax.add_patch(Circle((1.6, bus), 0.05, color=INK, zorder=4))
    for x in (f_x, i_x, c_x, o_x):
        _arrow(ax, (x, bus), (x, gates - 0.39))
    _box(ax, (f_x, gates), r"$\sigma$", fill=GATE_FILL, sub=r"$W_{xf},\ W_{hf},\ b_f$", **box)
    _box(ax, (i_x, gates), r"$\sigma$", fill=GATE_FILL, sub=r"$W_{xi},\ W_{hi},\ b_i$", **box)
    _box(ax, (c_x, gates), "tanh", fill=TANH_FILL, sub=r"$W_{xc},\ W_{hc},\ b_c$", **box)
    _box(ax, (o_x, gates), r"$\sigma$", fill=GATE_FILL, sub=r"$W_{xo},\ W_{ho},\ b_o$", **box)
    # f_t scales c_{t-1}; i_t scales the candidate, which is added to the cell
    _arrow(ax, (f_x, gates + 0.39), (f_x, top - 0.18))
    _text(ax, (f_x - 0.12, 3.0), "$f_t$", ha="right")
    _op(ax, (add_x, 3.25), r"$\times$")
    _arrow(ax, (i_x, gates + 0.39), (i_x, 3.25), (add_x - 0.18, 3.25))
    _arrow(ax, (c_x, gates + 0.39), (c_x, 3.25), (add_x + 0.18, 3.25))
    _text(ax, (i_x - 0.12, 2.85), "$i_t$", ha="right")
    _text(ax, (c_x + 0.12, 2.85), r"$\tilde c_t$", ha="left")
    _arrow(ax, (add_x, 3.43), (add_x, top - 0.18))
    # h_t = o_t * tanh(c_t), the output and the next state
    _arrow(ax, (tanh_x, top), (tanh_x, 3.46), color=CELL, lw=2, head=False)
    _box(ax, (tanh_x, 3.2), "tanh", fill=TANH_FILL, size=(0.75, 0.44))
    _arrow(ax, (tanh_x, 2.98), (tanh_x, gates + 0.18))
    _op(ax, (tanh_x, gates), r"$\times$")
    _arrow(ax, (o_x + 0.72, gates), (tanh_x - 0.18, gates))
    _text(ax, (o_x + 0.85, gates + 0.22), "$o_t$")
    _arrow(ax, (tanh_x + 0.18, gates), (right, gates), color=STATE)
    _text(ax, (right, gates - 0.3), "$h_t$", color=STATE, ha="right")
    _arrow(ax, (10.4, gates), (10.4, 3.75), color=STATE)
    _text(ax, (10.5, 3.6), "$h_t$ (output)", color=STATE, ha="left", size=TEXT_SIZE)
    if peephole:
        _peepholes(ax, top, gates, (f_x, i_x, o_x))
    else:
        _text(ax, (add_x, 0.3), r"$c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t, \qquad "
                                r"h_t = o_t \odot \tanh(c_t)$", size=TEXT_SIZE)
    return fig


def _peepholes(ax: Axes, top: float, gates: float, xs: tuple[float, float, float]) -> None:
    """Draw the three peephole connections: c_{t-1} into f_t and i_t, c_t into o_t, each a diagonal weight."""
    f_x, i_x, o_x = xs
    y = 3.72
    for x, name, source in ((f_x - 0.5, "cf", 0.8), (i_x - 0.5, "ci", 0.8)):
        _arrow(ax, (source, top), (source, y), (x, y), (x, gates + 0.39), color=CELL, dashed=True, hop=True)
        _text(ax, (x - 0.08, 2.84), f"$w_{{{name}}}\\odot$", color=CELL, size=SMALL_SIZE, ha="right")
    _arrow(ax, (o_x + 0.45, top), (o_x + 0.45, gates + 0.39), color=CELL, dashed=True)   # the new c_t
    _text(ax, (o_x + 0.37, 2.84), r"$w_{co}\odot$", color=CELL, size=SMALL_SIZE, ha="right")
    for x in (0.8, o_x + 0.45):
        ax.add_patch(Circle((x, top), 0.07, color=CELL, zorder=5))
    _text(ax, (2.2, 0.3), r"peepholes (dashed): $i_t, f_t$ also read $c_{t-1}$, $o_t$ reads the new $c_t$; "
                          r"$W_{ci}\,c_{t-1} = w_{ci} \odot c_{t-1}$ (diagonal)", size=TEXT_SIZE, ha="left")


def lstm_cell() -> Figure:
    """Return a figure of one LSTM step: the cell state on top, the gates f_t, i_t, o_t and candidate below.

    In notebook 03's notation: c_t = f_t * c_{t-1} + i_t * c~_t, h_t = o_t * tanh(c_t); the cell state's
    path (vermillion) passes no weight matrix, only a product and a sum.
    """
    return _lstm("One LSTM step: the cell state (top) changes only by a product and a sum", peephole=False)


def peephole_lstm_cell() -> Figure:
    """Return a figure of one peephole LSTM step (Gers & Schmidhuber 2000), notebook 03's PeepholeLSTMCell.

    The gates also read the cell: i_t and f_t the old c_{t-1}, o_t the new c_t, each through a diagonal weight
    (an element-wise product with a vector w_ci, w_cf, w_co).
    """
    return _lstm("A peephole LSTM step: the gates also look at the cell state", peephole=True)


# --- 04: the GRU --------------------------------------------------------------------------------------------
def gru_cell() -> Figure:
    """Return a figure of one GRU step, h_t = z_t * h_{t-1} + (1 - z_t) * h~_t, as notebook 04 writes it.

    The update gate z_t keeps the old state (Keras's and Cho et al.'s convention); the reset gate r_t scales
    h_{t-1} before the candidate's recurrent weights (the equations of section 1, `reset_after=False`;
    `gru_reset_after` draws both placements).
    """
    fig, ax = _canvas(11.5, 5.3, r"One GRU step (one state, no output gate): "
                                 r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t$")
    top, gates, bus, mid, low = 4.25, 1.95, 0.85, 3.55, 2.95
    z_x, r_x, c_x, keep_x, add_x, right = 2.6, 4.5, 6.6, 7.3, 8.9, 11.2
    box = dict(size=(1.45, 0.78))
    # the state's path: h_{t-1} is kept in the proportion z_t, the candidate is added in 1 - z_t
    _arrow(ax, (0.35, top), (keep_x - 0.18, top), color=STATE, lw=3.2, head=False)
    _arrow(ax, (keep_x + 0.18, top), (add_x - 0.18, top), color=STATE, lw=3.2, head=False)
    _arrow(ax, (add_x + 0.18, top), (right, top), color=STATE, lw=3.2)
    _text(ax, (0.35, top + 0.3), "$h_{t-1}$", color=STATE, ha="left")
    _text(ax, (right, top + 0.3), "$h_t$ (output and next state)", color=STATE, ha="right", size=TEXT_SIZE)
    _op(ax, (keep_x, top), r"$\times$")
    _op(ax, (add_x, top), "+")
    # h_{t-1} and x_t feed both gates
    _arrow(ax, (0.8, top), (0.8, bus), (r_x, bus), color=STATE, head=False)
    _arrow(ax, (1.5, 0.2), (1.5, bus), color=INPUT, head=False)
    for xy in ((0.8, top), (1.5, bus), (1.5, 0.5), (r_x, top)):
        ax.add_patch(Circle(xy, 0.05, color=INK, zorder=5))
    _text(ax, (1.65, 0.25), "$x_t$", color=INPUT, ha="left")
    for x in (z_x, r_x):
        _arrow(ax, (x, bus), (x, gates - 0.39))
    _box(ax, (z_x, gates), r"$\sigma$", fill=GATE_FILL, sub=r"$W_{xz},\ W_{hz},\ b_z$", **box)
    _box(ax, (r_x, gates), r"$\sigma$", fill=GATE_FILL, sub=r"$W_{xr},\ W_{hr},\ b_r$", **box)
    _box(ax, (c_x, gates), "tanh", fill=TANH_FILL, sub=r"$W_{x\tilde h},\ W_{h\tilde h},\ b_{\tilde h}$",
         **box)
    # z_t keeps the old state; 1 - z_t lets the candidate in
    _arrow(ax, (z_x, gates + 0.39), (z_x, mid), (keep_x, mid), (keep_x, top - 0.18), hop=True)
    _arrow(ax, (keep_x, mid), (add_x - 0.95, mid), head=False)
    ax.add_patch(Circle((keep_x, mid), 0.05, color=INK, zorder=5))
    _text(ax, (z_x - 0.12, 3.0), "$z_t$", ha="right")
    _op(ax, (add_x - 0.75, mid), "$1-$", size=SMALL_SIZE, radius=0.2)
    _arrow(ax, (add_x - 0.55, mid), (add_x - 0.18, mid))
    _op(ax, (add_x, mid), r"$\times$")
    _arrow(ax, (add_x, mid + 0.18), (add_x, top - 0.18))
    # r_t scales h_{t-1} on its way into the candidate; x_t enters the candidate directly
    _op(ax, (r_x, low), r"$\times$")
    _arrow(ax, (r_x, gates + 0.39), (r_x, low - 0.18))
    _text(ax, (r_x - 0.12, 2.55), "$r_t$", ha="right")
    _arrow(ax, (r_x, top), (r_x, low + 0.18), color=STATE)
    _arrow(ax, (r_x + 0.18, low), (c_x - 0.3, low), (c_x - 0.3, gates + 0.39), color=STATE)
    _text(ax, ((r_x + c_x - 0.3) / 2 + 0.05, low + 0.22), r"$r_t \odot h_{t-1}$", color=STATE, size=TEXT_SIZE)
    _arrow(ax, (1.5, 0.5), (c_x, 0.5), (c_x, gates - 0.39), color=INPUT)
    _arrow(ax, (c_x + 0.3, gates + 0.39), (c_x + 0.3, 3.05), (add_x, 3.05), (add_x, mid - 0.18))
    _text(ax, (c_x + 0.42, 2.7), r"$\tilde h_t$", ha="left")
    _text(ax, (2.1, 0.22), r"$\tilde h_t = \tanh(W_{x\tilde h}\,x_t + W_{h\tilde h}\,(r_t \odot h_{t-1})"
                           r" + b_{\tilde h})$   (reset_after=False; Keras's default applies $r_t$ after "
                           r"$W_{h\tilde h}$)", size=SMALL_SIZE, ha="left")
    return fig


def gru_reset_after() -> Figure:
    """Return a figure of the GRU candidate h~_t in Keras's two variants, side by side, with their biases.

    Left `reset_after=False` (Cho et al. 2014): r_t scales h_{t-1} before the product with W_h~h. Right
    `reset_after=True` (Keras's default, cuDNN's form): r_t scales W_h~h h_{t-1} + b_h~h after the product,
    and the recurrent product has its own bias.
    """
    fig, ax = _canvas(12, 5.8, r"Where the reset gate acts in the GRU's candidate $\tilde h_t$")
    for left, after in ((0.0, False), (6.0, True)):
        cx = left + 3.0
        name = "reset_after=True  (Keras default, cuDNN)" if after else "reset_after=False  (Cho et al. 2014)"
        _text(ax, (cx, 5.1), name, size=TEXT_SIZE)
        equation = (r"$\tilde h_t = \tanh(W_{x\tilde h}\,x_t + b_{x\tilde h} + r_t \odot "
                    r"(W_{h\tilde h}\,h_{t-1} + b_{h\tilde h}))$" if after else
                    r"$\tilde h_t = \tanh(W_{x\tilde h}\,x_t + W_{h\tilde h}\,(r_t \odot h_{t-1}) "
                    r"+ b_{\tilde h})$")
        _text(ax, (cx, 4.7), equation, size=SMALL_SIZE + 1)
        h_x, x_x = left + 1.3, left + 4.7
        _text(ax, (h_x, 0.45), "$h_{t-1}$", color=STATE)
        _text(ax, (x_x, 0.45), "$x_t$", color=INPUT)
        _box(ax, (x_x, 2.3), r"$W_{x\tilde h}\,x_t + b_{x\tilde h}$" if after else r"$W_{x\tilde h}\,x_t$",
             size=(1.85, 0.55))
        _arrow(ax, (x_x, 0.7), (x_x, 2.02), color=INPUT)
        if after:      # product first, then the reset gate
            _box(ax, (h_x, 1.55), r"$W_{h\tilde h}\,h_{t-1} + b_{h\tilde h}$", size=(2.05, 0.55))
            _arrow(ax, (h_x, 0.7), (h_x, 1.27), color=STATE)
            _op(ax, (h_x, 2.75), r"$\times$")
            _arrow(ax, (h_x, 1.83), (h_x, 2.57))
            r_at = (h_x - 0.18, 2.75)
        else:          # reset gate first, then the product
            _op(ax, (h_x, 1.35), r"$\times$")
            _arrow(ax, (h_x, 0.7), (h_x, 1.17), color=STATE)
            _box(ax, (h_x, 2.3), r"$W_{h\tilde h}\,(\cdot)$", size=(1.3, 0.55))
            _arrow(ax, (h_x, 1.53), (h_x, 2.02))
            r_at = (h_x - 0.18, 1.35)
        _arrow(ax, (left + 0.25, r_at[1]), r_at, color=INK)
        _text(ax, (left + 0.25, r_at[1] + 0.25), "$r_t$", ha="left")
        _op(ax, (cx, 3.4), "+")
        _arrow(ax, (h_x, 2.93 if after else 2.58), (h_x, 3.4), (cx - 0.18, 3.4))
        _arrow(ax, (x_x, 2.58), (x_x, 3.4), (cx + 0.18, 3.4))
        if not after:
            _text(ax, (cx, 2.95), r"$+\,b_{\tilde h}$", size=TEXT_SIZE)
        _box(ax, (cx, 4.15), "tanh", fill=TANH_FILL, size=(0.9, 0.45))
        _arrow(ax, (cx, 3.58), (cx, 3.92))
        _arrow(ax, (cx + 0.45, 4.15), (cx + 1.2, 4.15))
        _text(ax, (cx + 1.5, 4.15), r"$\tilde h_t$")
    ax.plot([6.0, 6.0], [0.3, 5.25], color=MUTED, lw=1)
    _text(ax, (6.0, 0.02), "the gates $z_t, r_t$: one bias each with reset_after=False, two "
                          r"($b_{xz} + b_{hz}$, $b_{xr} + b_{hr}$) with reset_after=True: "
                          r"3 $\times$ units more parameters", size=SMALL_SIZE, va="bottom")
    return fig


# --- 05: padding and masks ----------------------------------------------------------------------------------
def padding_and_mask(token_ids: Sequence[Sequence[int]] = ((5, 8, 3, 0, 0), (7, 2, 9, 4, 6))) -> Figure:
    """Return a figure of a right-padded batch of token ids, its mask, and what an LSTM does at masked steps.

    `Embedding(mask_zero=True)` turns id 0 into mask False; at a masked step the LSTM copies h_{t-1} and
    c_{t-1} forward unchanged, so its output there repeats the last real one (the generic kernel; cuDNN on a
    GPU writes zeros there) and the final state is that of the text without its padding. The states are drawn
    for the first row that has padding.
    """
    ids = as_int_array("token_ids", token_ids, ndim=2, low=0, allow_empty=False)
    check_no_empty_rows("token_ids", ids)
    if not (ids.shape[0] <= 4 and 2 <= ids.shape[1] <= 7):
        raise ValueError(f"token_ids has shape {ids.shape}; pass 1 to 4 rows of 2 to 7 steps (a bigger batch "
                         "does not fit the figure)")
    real = ids != 0                                                      # (batch, time) the mask
    if np.any(real[:, 1:] & ~real[:, :-1]):
        raise ValueError("token_ids must be right-padded (zeros only after the last real token of each row), "
                         "as TextVectorization pads; move the zeros to the end of the rows")
    if ids.max() > 999:
        raise ValueError(f"token_ids must be below 1000 to fit the cells, got {ids.max()}")
    padded = np.flatnonzero(~real.all(axis=1))
    row = int(padded[0]) if len(padded) else 0
    fig, ax = _canvas(12, 5.9, "Right padding, the mask, and what a masked step does to an LSTM")
    batch, steps = ids.shape
    cell, top, pitch = 0.5, 5.0, 0.42 if batch <= 2 else 0.34     # cell width, top, row height

    def grid(left: float, values: np.ndarray, title: str, color: str, width: float = cell) -> None:
        _text(ax, (left, top + 0.1), title, size=SMALL_SIZE, color=color, ha="left")
        for i in range(batch):
            for t in range(steps):
                y = top - 0.35 - pitch * i
                ax.add_patch(Rectangle((left + width * t, y - pitch / 2), width, pitch, ec=INK, lw=1,
                                       fc="white" if real[i, t] else "#E4E4E4", zorder=3))
                _text(ax, (left + width * (t + 0.5), y), str(values[i, t]), size=SMALL_SIZE,
                      color=INK if real[i, t] else MUTED)

    grid(0.45, ids, "token ids (batch, time), right-padded with 0", INK)
    grid_right = 0.45 + cell * steps
    _box(ax, (grid_right + 1.45, top - 0.45), "Embedding", sub="mask_zero=True", size=(1.7, 0.7))
    _arrow(ax, (grid_right + 0.1, top - 0.45), (grid_right + 0.58, top - 0.45))
    mask_left = grid_right + 2.75
    _arrow(ax, (grid_right + 2.32, top - 0.45), (mask_left - 0.1, top - 0.45))
    grid(mask_left, np.where(real, "True", "False"), "mask (batch, time): False at padding", INK, width=0.62)
    _text(ax, (grid_right + 1.45, top - 1.0), "it also gives vectors\n$x_t$ (batch, time, d);\n"
                                              "both go to the LSTM", size=SMALL_SIZE, color=INPUT, va="top")
    # one row's states over time
    y, spacing = 1.75, 10.0 / steps
    xs = [1.75 + spacing * t for t in range(steps)]
    last = int(real[row].sum())
    _text(ax, (0.45, 3.1), f"row {row + 1} through the LSTM:", size=TEXT_SIZE, ha="left")
    _text(ax, (0.5, y), "$h_0, c_0$", color=STATE, size=TEXT_SIZE, ha="left")
    for t, x in enumerate(xs, start=1):
        masked = not real[row, t - 1]
        color = MUTED if masked else STATE
        if masked:     # the state is copied: h_t = h_{t-1}, c_t = c_{t-1}
            _box(ax, (x, y), f"$h_{{{t}}} = h_{{{t - 1}}}$", sub=f"$c_{{{t}}} = c_{{{t - 1}}}$",
                 fill="#EFEFEF", color=color, dashed=True, size=(1.15, 0.62))
        else:
            _box(ax, (x, y), f"$h_{{{t}}}, c_{{{t}}}$", fill=STATE_FILL, color=color, size=(1.15, 0.55),
                 text_size=TEXT_SIZE)
        start = xs[t - 2] + 0.58 if t > 1 else 1.12
        _arrow(ax, (start, y), (x - 0.58, y), color=color, dashed=masked)
        token = ids[row, t - 1]
        _text(ax, (x, 0.55), f"$x_{{{t}}}$ (id {token})" if not masked else "padding (id 0):\nskipped",
              color=MUTED if masked else INPUT, size=SMALL_SIZE)
        if not masked:
            _arrow(ax, (x, 0.75), (x, y - 0.28), color=INPUT)
        _arrow(ax, (x, y + 0.31), (x, 2.55), color=color, dashed=masked)
        out = f"$h_{{{t}}}$" if not masked else f"$h_{{{last}}}$ again"
        _text(ax, (x, 2.75), out, color=color, size=TEXT_SIZE)
    _text(ax, (6, 0.12), f"final state = $h_{{{last}}}, c_{{{last}}}$, as for the text without padding "
                         "(output at masked steps: the last real one; cuDNN on a GPU: zeros)",
          size=SMALL_SIZE)
    return fig


# --- 08: encoder-decoder and beam search --------------------------------------------------------------------
def encoder_decoder(source: Sequence[str] = ("el", "gato", "duerme"),
                    target: Sequence[str] = ("the", "cat", "sleeps"),
                    prediction: Sequence[str] = ("the", "dog", "sleeps")) -> Figure:
    """Return a figure of a GRU encoder-decoder in training (teacher forcing, top) and at inference (bottom).

    The encoder's last state c = h_S is the decoder's initial state s_0. In training the decoder reads the
    true previous token (`[START]` first); at inference it reads its own previous prediction, so a mistake
    (where `prediction` differs from `target`) is fed back. The default tokens are an illustration.
    """
    source = _tokens("source", source, 1, 4, longest=8)
    target = _tokens("target", target, 1, 4, longest=8)
    prediction = _tokens("prediction", prediction, len(target), len(target), longest=8)
    fig, ax = _canvas(12, 6, "Encoder-decoder: the encoder's last state starts the decoder "
                             "(illustrative tokens)")
    panels = [(2.9, "training: teacher forcing, the decoder reads the true previous token $y^\\star_{t-1}$",
               target, False),
              (0.15, "inference: the decoder reads its own previous prediction $\\hat y_{t-1}$",
               prediction, True)]
    steps = len(target) + 1                                    # the last output is [END]
    spacing = min(1.45, 9.0 / (len(source) + steps - 0.4))    # room on the right for the row labels
    longest = max(len(token) for token in [*source, *target, *prediction])
    token_size = TEXT_SIZE if longest * 0.6 * TEXT_SIZE / 72 < spacing - 0.2 else SMALL_SIZE
    for bottom, title, tokens, fed_back in panels:
        _text(ax, (0.25, bottom + 2.38), title, size=TEXT_SIZE, ha="left")
        y_in, y_cell, y_out = bottom + 0.3, bottom + 1.15, bottom + 2.0
        xs = [0.9 + spacing * s for s in range(len(source))]
        for s, (x, token) in enumerate(zip(xs, source, strict=True), start=1):
            _box(ax, (x, y_cell), f"$h_{{{s}}}$", fill=STATE_FILL, color=STATE, size=(0.8, 0.5))
            _text(ax, (x, y_in), _escape(token), color=INPUT, size=token_size)
            _arrow(ax, (x, y_in + 0.18), (x, y_cell - 0.25), color=INPUT)
            if s > 1:
                _arrow(ax, (x - spacing + 0.4, y_cell), (x - 0.4, y_cell), color=STATE)
        _text(ax, (xs[0] - 0.1 + spacing * (len(source) - 1) / 2, y_out - 0.05), "encoder (GRU)",
              size=SMALL_SIZE, color=STATE)
        ds = [xs[-1] + spacing * (s + 1.6) for s in range(steps)]
        _arrow(ax, (xs[-1] + 0.4, y_cell), (ds[0] - 0.4, y_cell), color=STATE, lw=2.4)
        _text(ax, ((xs[-1] + ds[0]) / 2, y_cell + 0.22), "$c = h_S = s_0$", color=STATE, size=SMALL_SIZE)
        inputs = ["[START]", *tokens]
        outputs = [*tokens, "[END]"]
        for t, x in enumerate(ds, start=1):
            _box(ax, (x, y_cell), f"$s_{{{t}}}$", fill=STATE_FILL, color=STATE, size=(0.8, 0.5))
            if t > 1:
                _arrow(ax, (x - spacing + 0.4, y_cell), (x - 0.4, y_cell), color=STATE)
            wrong = fed_back and t <= len(target) and outputs[t - 1] != target[t - 1]
            _text(ax, (x, y_out), _escape(outputs[t - 1]), color=OUTPUT, size=token_size,
                  weight="bold" if wrong else "normal")
            _arrow(ax, (x, y_cell + 0.25), (x, y_out - 0.18), color=OUTPUT)
            _text(ax, (x, y_in), _escape(inputs[t - 1]), color=OUTPUT if fed_back and t > 1 else INPUT,
                  size=token_size if t > 1 else SMALL_SIZE)
            _arrow(ax, (x, y_in + 0.18), (x, y_cell - 0.25), color=INPUT)
            if fed_back and t < steps:     # the prediction becomes the next input
                _arrow(ax, (x + 0.3, y_out - 0.1), (x + spacing / 2, y_out - 0.1), (x + spacing / 2, y_in),
                       (ds[t] - 0.45, y_in), color=OUTPUT, dashed=True, lw=1.3, hop=True)
        row_name = "predictions $\\hat y_t$" if fed_back else "targets $y^\\star_t$ (loss)"
        _text(ax, (ds[-1] + 0.45, y_out), row_name, size=SMALL_SIZE, ha="left", color=OUTPUT)
        _text(ax, (ds[-1] + 0.45, y_in), "inputs", size=SMALL_SIZE, ha="left", color=INPUT)
    ax.plot([0.2, 11.8], [2.85, 2.85], color=MUTED, lw=1)
    return fig


_BEAM_EXAMPLE: dict[tuple[str, ...], dict[str, float]] = {
    (): {"the": -0.4, "a": -1.3, "one": -2.9},
    ("the",): {"cat": -0.7, "dog": -1.2, "house": -2.6},
    ("a",): {"cat": -0.5, "dog": -1.6},
    ("the", "cat"): {"sleeps": -0.3, "sat": -1.4},
    ("the", "dog"): {"barks": -0.4, "sleeps": -1.5},
}


def beam_tree(log_probs: Mapping[tuple[str, ...], Mapping[str, float]] | None = None,
              beam_width: int = 2) -> Figure:
    """Return a figure of beam search as a tree: each node a token and the summed log-probability so far.

    `log_probs` maps a prefix (a tuple of tokens, () for the start) to the log-probabilities of the
    continuations to draw; the default is an illustration. At every step the `beam_width` best hypotheses by
    summed log-probability are kept (filled boxes) and expanded, the others are pruned (grey, dashed). The
    search stops when no kept hypothesis has continuations in `log_probs`.
    """
    beam_width = _count("beam_width", beam_width, 1, 3)
    table = _check_log_probs(_BEAM_EXAMPLE if log_probs is None else log_probs)
    columns, kept = [[((), 0.0)]], [[()]]                 # per step: (hypothesis, score); the kept ones
    while True:
        expandable = [h for h in kept[-1] if h in table]
        if not expandable:
            break
        if len(expandable) < len(kept[-1]):
            missing = next(h for h in kept[-1] if h not in table)
            raise ValueError(f"log_probs has no continuations of the kept hypothesis {missing}; give every "
                             "kept hypothesis of a step continuations, or none of them (the search ends)")
        scores = dict(columns[-1])
        column = [((*h, token), scores[h] + lp) for h in kept[-1]
                  for token, lp in sorted(table[h].items(), key=lambda item: -item[1])]
        ranked = sorted(column, key=lambda item: -item[1])[:beam_width]
        columns.append(column)
        kept.append([h for h, _ in column if any(h == r for r, _ in ranked)])
        if len(columns) > 5:
            raise ValueError("log_probs describes more than 4 steps; pass at most 4 levels of continuations")
        if len(column) > 8:
            raise ValueError(f"step {len(columns) - 1} has {len(column)} hypotheses; pass fewer "
                             "continuations (at most 8 per step fit the figure)")
    if len(columns) == 1:
        raise ValueError("log_probs has no continuations of the start (); give it at least one, "
                         "e.g. {(): {'the': -0.4}}")
    fig, ax = _canvas(12, 5.8, f"Beam search, width {beam_width}: keep the {beam_width} best hypotheses "
                               "by summed log-probability (illustrative numbers)" if log_probs is None else
                      f"Beam search, width {beam_width}: keep the {beam_width} best hypotheses "
                      "by summed log-probability")
    best = max(((h, s) for h, s in columns[-1] if h in kept[-1]), key=lambda item: item[1])[0]
    spacing, bottom, height = 10.2 / (len(columns) - 1), 0.95, 4.15
    where = {}
    for step, column in enumerate(columns):
        x = 0.75 + spacing * step
        gap = height / len(column)
        for n, (hypothesis, score) in enumerate(column):
            y = bottom + height - gap * (n + 0.5)
            where[hypothesis] = (x, y)
            is_kept, on_best = hypothesis in kept[step], hypothesis == best[:step]
            color = OUTPUT if on_best and step == len(columns) - 1 else INK if is_kept else MUTED
            if hypothesis:
                parent, lp = where[hypothesis[:-1]], table[hypothesis[:-1]][hypothesis[-1]]
                _arrow(ax, (parent[0] + (0.85 if step > 1 else 0.55), parent[1]), (x - 0.87, y),
                       color=STATE if is_kept else MUTED, dashed=not is_kept,
                       lw=3 if on_best else 1.8 if is_kept else 1.2)
                sum_text = _minus(f"{score - lp:.1f} {'-' if lp < 0 else '+'} {abs(lp):.1f} = {score:.1f}"
                                  if step > 1 else f"{score:.1f}")
                _box(ax, (x, y), _escape(hypothesis[-1]), sub=sum_text, size=(1.7, 0.62), color=color,
                     fill=STATE_FILL if is_kept else "white", edge=color, dashed=not is_kept)
            else:
                _box(ax, (x, y), "[START]", size=(1.1, 0.5), fill=STATE_FILL)
        _text(ax, (x, 0.6), f"step {step}" if step else "start", size=SMALL_SIZE, color=NOTE)
    _text(ax, (6, 0.2), _minus(f"best: \u201c{' '.join(best)}\u201d ({dict(columns[-1])[best]:.1f});  in a "
                               "box: the token, and the summed log p = the parent's + the token's log p"),
          size=SMALL_SIZE)
    return fig


def _check_log_probs(log_probs: Mapping) -> dict[tuple[str, ...], dict[str, float]]:
    """Return `log_probs` as a dict after checking its keys (tuples of str) and values (log-probabilities)."""
    if not isinstance(log_probs, Mapping):
        raise ValueError("log_probs must be a dict {prefix tuple: {token: log-probability}}, got "
                         f"{type(log_probs).__name__}")
    table = {}
    for prefix, continuations in log_probs.items():
        if not isinstance(prefix, tuple) or not all(isinstance(t, str) for t in prefix):
            raise ValueError(f"log_probs key {prefix!r} must be a tuple of tokens, () for the start")
        if not isinstance(continuations, Mapping) or not 1 <= len(continuations) <= 4:
            raise ValueError(f"log_probs[{prefix!r}] must be a dict of 1 to 4 {{token: log-probability}}")
        for token, lp in continuations.items():
            _tokens(f"a continuation of {prefix!r}", [token], 1, 1, longest=8)
            check_number(f"log_probs[{prefix!r}][{token!r}]", lp, maximum=0.0)
            if not math.isfinite(lp):
                raise ValueError(f"log_probs[{prefix!r}][{token!r}] is {lp}; pass a finite log-probability")
        if sum(math.exp(lp) for lp in continuations.values()) > 1 + 1e-9:
            raise ValueError(f"the probabilities of the continuations of {prefix!r} add up to more than 1; "
                             "pass log-probabilities of one distribution (each <= 0, exp summing to <= 1)")
        table[prefix] = dict(continuations)
    return table


# --- 09: attention ------------------------------------------------------------------------------------------
def attention_lookup(source: Sequence[str] = ("el", "gato", "negro", "duerme"),
                     scores: Sequence[float] = (0.3, 2.2, 0.9, -0.5)) -> Figure:
    """Return a figure of attention as a soft lookup, the way notebook 09's decoder uses it.

    The decoder's GRU state q_t (the query) is compared with each encoder state h_s (the keys) by a dot
    product, e_{t,s} = q_t^T h_s; a softmax over the source positions s gives the weights alpha_{t,s}; the
    context c_t is the weighted sum of the values (the same h_s), and the output layer reads [q_t; c_t]. The
    default tokens and scores are an illustration; the weights drawn are the softmax of `scores`.
    """
    source = _tokens("source", source, 2, 6)
    scores = list(scores)
    if len(scores) != len(source):
        raise ValueError(f"scores must have one number per source token ({len(source)}), got {len(scores)}")
    e = np.array([check_number(f"scores[{i}]", s, -50, 50) for i, s in enumerate(scores)])
    alpha = np.exp(e - e.max()) / np.exp(e - e.max()).sum()
    fig, ax = _canvas(12, 5.9, "Attention as a soft lookup: the decoder state $q_t$ queries the encoder "
                               "states $h_s$ (illustrative numbers)")
    n = len(source)
    row = min(0.78, 3.6 / n)
    ys = [4.35 - row * (s + 0.5) for s in range(n)]
    x_tok, x_h, x_e, x_a, x_v, x_sum = 0.55, 1.75, 3.55, 5.35, 7.05, 8.05
    ax.add_patch(FancyBboxPatch((x_e - 0.78, ys[-1] - row / 2), 1.56, row * n, fc=SHADE, ec=STATE, lw=1.2,
                                boxstyle="round,pad=0,rounding_size=0.1", zorder=1))
    _box(ax, (x_e, 5.0), "$q_t$", fill=STATE_FILL, color=STATE, size=(0.75, 0.48), text_size=MATH_SIZE)
    _text(ax, (x_e - 0.5, 5.0), "the query: the decoder's\nGRU state at step $t$", size=SMALL_SIZE,
          ha="right", color=STATE)
    _arrow(ax, (x_e, 4.76), (x_e, ys[0] + row / 2), color=STATE)
    for s, (y, token) in enumerate(zip(ys, source, strict=True), start=1):
        _text(ax, (x_tok, y), _escape(token), color=INPUT, size=TEXT_SIZE)
        _arrow(ax, (x_tok + 0.42, y), (x_h - 0.42, y), color=INPUT)
        _box(ax, (x_h, y), f"$h_{{{s}}}$", fill=STATE_FILL, color=STATE, size=(0.8, row * 0.62))
        _arrow(ax, (x_h + 0.4, y), (x_e - 0.7, y), color=STATE)
        _text(ax, (x_e, y), _minus(f"$e_{{t,{s}}}$ = {e[s - 1]:.1f}"), size=SMALL_SIZE)
        _arrow(ax, (x_e + 0.78, y), (x_a - 0.75, y))
        bar = 1.1 * alpha[s - 1] / alpha.max()
        ax.add_patch(Rectangle((x_a - 0.7, y - row * 0.22), bar, row * 0.44, fc=OUTPUT_FILL, ec=OUTPUT, lw=1,
                               zorder=3))
        _text(ax, (x_a + 0.5, y), f"{alpha[s - 1]:.2f}", size=SMALL_SIZE, ha="left")
        _box(ax, (x_v, y), rf"$\times\ h_{{{s}}}$", size=(0.8, row * 0.62), color=STATE)
        _arrow(ax, (x_a + 0.98, y), (x_v - 0.42, y))
        _arrow(ax, (x_v + 0.4, y), (x_sum - 0.2, (ys[0] + ys[-1]) / 2), color=INK, lw=1.2)
    mid = (ys[0] + ys[-1]) / 2
    _op(ax, (x_sum, mid), r"$\Sigma$")
    headers = [(x_tok, "source"), (x_h, "encoder\nstates $h_s$\n(keys, values)"),
               (x_e, "scores\n$e_{t,s} = q_t^\\top h_s$"),
               (x_a, "softmax over $s$:\nweights $\\alpha_{t,s}$\n(padding: $\\alpha = 0$)"),
               (x_v, "values,\nweighted")]
    for x, header in headers:
        _text(ax, (x, ys[-1] - row / 2 - 0.12), header, size=SMALL_SIZE, va="top")
    # the context joins the query before the output layer: softmax(W_y [q_t; c_t] + b_y)
    x_cat = 9.55
    _arrow(ax, (x_sum + 0.2, mid), (x_cat - 0.7, mid), color=STATE)
    _text(ax, (x_sum + 0.1, mid + 0.45), r"$c_t = \sum_s \alpha_{t,s}\, h_s$", size=TEXT_SIZE, ha="left",
          color=STATE)
    _box(ax, (x_cat, mid), "$[q_t;\\ c_t]$", size=(1.35, 0.5), text_size=TEXT_SIZE)
    _arrow(ax, (x_e + 0.38, 5.0), (x_cat + 0.35, 5.0), (x_cat + 0.35, mid + 0.25), color=STATE)
    _box(ax, (x_cat, 1.3), "Dense $W_y, b_y$", sub="softmax", size=(1.6, 0.7), fill=OUTPUT_FILL)
    _arrow(ax, (x_cat, mid - 0.25), (x_cat, 1.65))
    _arrow(ax, (x_cat, 0.95), (x_cat, 0.52), color=OUTPUT)
    _text(ax, (x_cat, 0.3), r"$p(y_t \mid y_{<t}, x)$", color=OUTPUT)
    return fig


# --- 10: the Transformer ------------------------------------------------------------------------------------
def self_attention_heads(heads: int = 2, d_model: int = 32) -> Figure:
    """Return a figure of multi-head self-attention: projections, split into heads, heads recombined.

    x (batch, T, d_model) -> Q, K, V = x W + b, split into `heads` heads of d_k = d_model / heads -> the
    scaled dot product per head -> heads concatenated -> output projection W_o, b_o, as notebook 10 has it.
    """
    heads = _count("heads", heads, 1, 4)
    d_model = _count("d_model", d_model, heads, 4096, "the model width, a multiple of heads")
    if d_model % heads:
        raise ValueError(f"d_model ({d_model}) must be a multiple of heads ({heads}); Keras's key_dim is "
                         f"d_model // heads, e.g. d_model={heads * (d_model // heads or 1)}")
    d_k = d_model // heads
    fig, ax = _canvas(12, 5.9, f"Multi-head self-attention: $H = {heads}$ heads of "
                               f"$d_k = d_{{model}} / H = {d_k}$")
    lane = 4.0 / heads
    ys = [4.5 - lane * (h + 0.5) for h in range(heads)]
    mid, box_h = (ys[0] + ys[-1]) / 2, min(0.62, lane - 0.3)
    _box(ax, (0.6, mid), "$x$", fill=INPUT_FILL, color=INPUT, size=(0.6, 0.6), text_size=MATH_SIZE)
    _arrow(ax, (0.9, mid), (1.4, mid), color=INPUT)
    _box(ax, (2.1, mid), "$Q, K, V$", sub="$= x\\,W + b$", size=(1.4, 0.8))
    _text(ax, (2.1, mid - 0.6), "$W_q, W_k, W_v$", size=SMALL_SIZE)
    _text(ax, (3.1, ys[0] + box_h / 2 + 0.12), "split into $H$ heads", size=SMALL_SIZE, va="bottom")
    for h, y in enumerate(ys, start=1):
        _arrow(ax, (2.8, mid), (3.1, mid), (3.1, y), (3.6, y))
        _box(ax, (4.35, y), f"$Q^{{({h})}}, K^{{({h})}}, V^{{({h})}}$", size=(1.5, box_h),
             text_size=SMALL_SIZE)
        _arrow(ax, (5.1, y), (5.45, y))
        _box(ax, (7.0, y), rf"softmax$(Q^{{({h})}} K^{{({h})\top}} / \sqrt{{d_k}})\ V^{{({h})}}$",
             size=(3.1, box_h), text_size=TEXT_SIZE - 1)
        _arrow(ax, (8.55, y), (9.1, y))
        _text(ax, (8.8, y + 0.2), f"$o^{{({h})}}$", size=SMALL_SIZE)
    _box(ax, (9.4, mid), "", size=(0.6, ys[0] - ys[-1] + box_h + 0.1))
    _text(ax, (9.4, mid), "concat", size=SMALL_SIZE, rotation=90)
    _arrow(ax, (9.7, mid), (9.92, mid))
    _box(ax, (10.4, mid), "$W_o, b_o$", size=(0.95, 0.6))
    _arrow(ax, (10.88, mid), (11.35, mid), color=OUTPUT)
    _text(ax, (11.6, mid), "$y$", color=OUTPUT)
    shapes = [(0.75, "(batch, T, $d_{model}$)"),
              (3.3, f"(batch, $H$, T, $d_k$),\n$H$ = {heads}, $d_k$ = {d_k}"),
              (7.0, "weights (batch, $H$, T, T):\neach row sums to 1 over the keys"),
              (9.4, "(batch, T,\n$H\\,d_k$)"), (11.1, "(batch, T,\n$d_{model}$)")]
    for x, shape in shapes:
        _text(ax, (x, 0.42), shape, size=SMALL_SIZE, color=NOTE)
    _text(ax, (6, 5.1), "self-attention: queries, keys and values all come from the same $x$; head $h$ "
                        "has its own $W_q^{(h)}, W_k^{(h)}, W_v^{(h)}$", size=SMALL_SIZE)
    return fig


def positional_encoding(length: int = 32, d_model: int = 16) -> Figure:
    """Return a figure of the sinusoidal positional encodings p_{t,i} (a heat map) added to the inputs x_t.

    p_{t,2i} = sin(t / 10000^(2i/d)), p_{t,2i+1} = cos(t / 10000^(2i/d)), computed here with NumPy as notebook
    10's `sinusoidal_encoding` does; the model reads x_t + p_t.
    """
    length = _count("length", length, 2, 256, "positions in the heat map")
    d_model = _count("d_model", d_model, 2, 128, "dimensions in the heat map")
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin and cos come in pairs), got {d_model}; pass e.g. "
                         f"{d_model + 1}")
    position = np.arange(length)[:, None]                          # (length, 1)
    frequency = 1 / 10000 ** (np.arange(0, d_model, 2) / d_model)   # (d_model / 2,)
    encoding = np.zeros((length, d_model))
    encoding[:, 0::2] = np.sin(position * frequency)
    encoding[:, 1::2] = np.cos(position * frequency)
    fig, ax = _canvas(12, 5.2, "Sinusoidal positional encodings (fixed, no weights) are added to the inputs")
    heat = fig.add_axes((0.07, 0.16, 0.45, 0.66))
    image = heat.imshow(encoding.T, aspect="auto", cmap="RdBu", vmin=-1, vmax=1, origin="lower")
    heat.set_xlabel("position $t$", fontsize=TEXT_SIZE)
    heat.set_ylabel("dimension $i$ (0 = fastest)", fontsize=TEXT_SIZE)
    heat.tick_params(labelsize=SMALL_SIZE)
    heat.set_title(f"$p_{{t,i}}$ for {length} positions, $d$ = {d_model}", fontsize=TEXT_SIZE)
    colorbar = fig.colorbar(image, ax=heat, fraction=0.05, pad=0.02)
    colorbar.ax.tick_params(labelsize=SMALL_SIZE)
    colorbar.set_label("$p_{t,i}$", fontsize=TEXT_SIZE)
    x = 10.2
    _box(ax, (x, 4.05), "input $x_t$", sub="the embedding at $t$", fill=INPUT_FILL, size=(2.2, 0.7),
         color=INPUT)
    _op(ax, (x, 3.0), "+")
    _arrow(ax, (x, 3.7), (x, 3.18), color=INPUT)
    _box(ax, (8.35, 3.0), "$p_t$", sub="column $t$ of the map", size=(1.9, 0.7), fill="white")
    _arrow(ax, (9.3, 3.0), (x - 0.18, 3.0))
    _arrow(ax, (x, 2.82), (x, 2.2))
    _box(ax, (x, 1.85), "$x_t + p_t$", sub="to the first block", size=(2.2, 0.7))
    _text(ax, (9.35, 0.95), r"$p_{t,2i} = \sin(t\,/\,10000^{2i/d})$", size=TEXT_SIZE)
    _text(ax, (9.35, 0.45), r"$p_{t,2i+1} = \cos(t\,/\,10000^{2i/d})$", size=TEXT_SIZE)
    return fig


def prenorm_block() -> Figure:
    """Return a figure of notebook 10's pre-norm encoder block and the LayerNorm after the last block.

    z = x + Dropout(MHA(LN(x))), y = z + Dropout(W_2 relu(W_1 LN(z) + b_1) + b_2); the residual stream keeps
    the width d_model; one more LayerNorm after the last block normalises what the readout and output read.
    """
    fig, ax = _canvas(12, 5.0, "The pre-norm Transformer encoder block (notebook 10)")
    stream, branch = 1.9, 3.25
    ax.add_patch(FancyBboxPatch((0.85, 0.95), 8.5, 3.35, boxstyle="round,pad=0,rounding_size=0.15", fc=SHADE,
                                ec=MUTED, lw=1.2, ls="--", zorder=0))
    _text(ax, (1.0, 4.05), "encoder block (repeat N times; N = 1 in notebook 10)", size=SMALL_SIZE, ha="left",
          color=NOTE)
    # the residual stream: x -> z -> y, the width d_model throughout
    _text(ax, (0.35, stream + 0.3), "$x$", color=INPUT)
    _arrow(ax, (0.2, stream), (3.87, stream), lw=2.6, head=False)
    _op(ax, (4.05, stream), "+")
    _arrow(ax, (4.23, stream), (8.77, stream), lw=2.6, head=False)
    _text(ax, (4.45, stream + 0.3), "$z$")
    _op(ax, (8.95, stream), "+")
    _arrow(ax, (9.13, stream), (9.8, stream), lw=2.6)
    _text(ax, (9.3, stream + 0.3), "$y$")
    # attention branch: z = x + Dropout(MHA(LN(x)))
    _arrow(ax, (1.15, stream), (1.15, branch), (1.4, branch))
    _box(ax, (1.8, branch), "LN", size=(0.8, 0.5))
    _arrow(ax, (2.2, branch), (2.45, branch))
    _box(ax, (3.05, branch), "MHA", sub="self-attention", size=(1.2, 0.7))
    _arrow(ax, (3.65, branch), (4.05, branch), (4.05, stream + 0.18))
    _text(ax, (4.15, 2.6), "dropout", size=SMALL_SIZE, ha="left", color=NOTE)
    # feed-forward branch: y = z + Dropout(W_2 relu(W_1 LN(z) + b_1) + b_2)
    _arrow(ax, (5.0, stream), (5.0, branch), (5.25, branch))
    _box(ax, (5.6, branch), "LN", size=(0.8, 0.5))
    _arrow(ax, (6.0, branch), (6.2, branch))
    _box(ax, (6.85, branch), "Dense, relu", sub="$W_1, b_1$", size=(1.3, 0.7))
    _arrow(ax, (7.5, branch), (7.65, branch))
    _box(ax, (8.2, branch), "Dense", sub="$W_2, b_2$", size=(1.1, 0.7))
    _arrow(ax, (8.75, branch), (8.95, branch), (8.95, stream + 0.18))
    _text(ax, (9.05, 2.6), "dropout", size=SMALL_SIZE, ha="left", color=NOTE)
    # after the last block
    _box(ax, (10.2, stream), "LN", sub="final", size=(0.8, 0.7))
    _arrow(ax, (10.6, stream), (10.8, stream))
    _box(ax, (11.35, stream), "readout", sub="pool, Dense", size=(1.1, 0.7), fill=OUTPUT_FILL)
    _text(ax, (10.8, 3.05), "after the\nlast block", size=SMALL_SIZE, color=NOTE)
    _text(ax, (6, 0.55), r"$z_t = x_t + \mathrm{MHA}(\mathrm{LN}(x))_t, \qquad y_t = z_t + W_2\,"
                         r"\mathrm{relu}(W_1\,\mathrm{LN}(z_t) + b_1) + b_2$", size=TEXT_SIZE)
    _text(ax, (6, 0.15), "the residual stream $x \\to z \\to y$ keeps the shape (batch, time, $d_{model}$); "
                         "LN normalises each position's vector", size=SMALL_SIZE)
    return fig
