"""Pixel shuffle and the scatter view as figures: every cell where the engine's recording puts it."""

from __future__ import annotations

import numpy as np

import reference
from convanim.picture import Grid
from convanim.registry import builtin_scenes
from convanim.scenes.upsampling import FACTOR, SIDE


def _numbers(grid: Grid) -> np.ndarray:
    return np.array([[float(t.replace("−", "-")) if t else np.nan for t in row] for row in grid.labels])


def test_pixel_shuffle_ends_with_the_reference_and_colours_each_cell_by_its_channel() -> None:
    timeline = builtin_scenes().get("pixel-shuffle").timeline()
    values = np.arange(FACTOR * FACTOR * SIDE * SIDE, dtype=float).reshape(1, FACTOR * FACTOR, SIDE, SIDE)
    expected = reference.pixel_shuffle(values, FACTOR)[0, 0]
    side = SIDE * FACTOR

    def output_of(step: int) -> Grid:
        items = timeline.steps[step].overlay.items
        return next(item for item in items if isinstance(item, Grid) and item.shape == (side, side))

    output = output_of(-1)
    assert (_numbers(output) == expected).all()
    channel_of = (expected // (SIDE * SIDE)).astype(int)  # the value says which channel it came from
    assert all(output.roles[r][c] == f"group{channel_of[r, c]}" for r, c in np.ndindex(side, side))
    assert len(timeline.steps) == SIDE * SIDE  # one input position a step
    assert np.isfinite(_numbers(output_of(0))).sum() == FACTOR * FACTOR  # the first position's block, nothing else


def test_transposed_scatter_sums_stamps_to_the_reference_and_counts_the_overlaps() -> None:
    from convanim.scenes.upsampling import OVERLAP_SIDE, SCATTER_INPUT, SCATTER_KERNEL, SCATTER_STRIDE

    timeline = builtin_scenes().get("transposed-scatter").timeline()
    expected = reference.conv_transpose(SCATTER_INPUT[None, None], SCATTER_KERNEL[None, None],
                                        stride=SCATTER_STRIDE)[0, 0]
    stamps = timeline.steps[SCATTER_INPUT.size - 1].overlay.items  # after the last input cell's stamp
    output = next(item for item in stamps if isinstance(item, Grid) and item.shape == expected.shape)
    assert (_numbers(output) == expected).all()
    direct = timeline.steps[-2].overlay.items  # the direct view's last placement: the same output again
    again = next(item for item in direct if isinstance(item, Grid) and item.shape == expected.shape)
    assert (_numbers(again) == expected).all()
    last = timeline.steps[-1].overlay.items
    for kernel in (3, 4):
        ones = reference.conv_transpose(np.ones((1, 1, OVERLAP_SIDE, OVERLAP_SIDE)), np.ones((1, 1, kernel, kernel)),
                                        stride=SCATTER_STRIDE)[0, 0]
        shown = [item for item in last if isinstance(item, Grid) and item.shape == ones.shape][-1]  # the map, last
        assert (_numbers(shown) == ones).all()  # stamps per cell: a transposed convolution of ones by ones
