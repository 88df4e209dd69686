"""The receptive-field figure: fields found by pushing one-hot inputs through the engine, which
must agree with the formula and with counting paths by hand."""

from __future__ import annotations

import itertools

import numpy as np

from convanim.picture import Grid
from convanim.registry import builtin_scenes
from convanim.scenes.receptive import CAUSAL, PLAIN, paths, receptive_field, span


def test_the_formula_gives_vgg_and_wavenet_fields() -> None:
    assert receptive_field(PLAIN)[0] == 1 + sum(2 for _ in PLAIN)
    assert receptive_field(CAUSAL)[0] == 1 + sum(layer["dilation"] for layer in CAUSAL)
    strided = [dict(kernel=3, dilation=1, stride=2), dict(kernel=3, dilation=1, stride=1)]
    size, text = receptive_field(strided)
    assert size == 1 + 2 + 2 * 2 and text.endswith(f"= {size}") and "·2" in text  # the stride before counts


def test_paths_count_every_route_through_three_3x3_layers() -> None:
    counts = paths((9, 9), PLAIN, (1, 1))
    assert span(counts) == (7, 7)
    # By hand: a path picks one of 3 offsets per layer and axis; count the ways to reach each cell.
    ways = np.zeros(9)
    for offsets in itertools.product(range(3), repeat=3):
        ways[1 + sum(offsets) - 0] += 1  # top cell 1, each layer moves 0..2 cells in a valid conv
    assert (counts == np.outer(ways, ways)).all()


def test_the_causal_stack_sees_exactly_the_last_inputs_once_each() -> None:
    r = receptive_field(CAUSAL)[0]
    counts = paths((r + 4,), CAUSAL, (r + 3,))
    assert (counts[4:] == 1).all() and (counts[:4] == 0).all()  # causal: the past only, one path each


def test_the_figure_shows_the_computed_fields() -> None:
    timeline = builtin_scenes().get("receptive-field").timeline()
    last = timeline.steps[len(PLAIN)].overlay.items  # the 2D part, down to the input
    inputs = next(item for item in last if isinstance(item, Grid) and item.shape == (9, 9))
    shown = np.array([[int(t) if t else 0 for t in row] for row in inputs.labels])
    assert (shown == paths((9, 9), PLAIN, (1, 1))).all()
    assert len(timeline.steps) == len(PLAIN) + len(CAUSAL) + 2
