"""conv_arithmetic's numerical figures: its own input and kernel, every number from the engine
and equal to the plain-loop reference."""

from __future__ import annotations

import numpy as np
import pytest

import reference
from convanim.picture import Grid
from convanim.registry import builtin_scenes
from convanim.scenes.arithmetic import NUMERICAL, NUMERICAL_INPUT, NUMERICAL_KERNEL, POOLING


def _numbers(grid: Grid) -> np.ndarray:
    return np.array([[float(text.replace("−", "-")) for text in row] for row in grid.labels])


@pytest.mark.parametrize("name", list(NUMERICAL))
def test_a_numerical_figure_ends_with_the_reference_output_and_shows_its_input(name: str) -> None:
    options = NUMERICAL[name]
    expected = reference.conv(NUMERICAL_INPUT[None, None], NUMERICAL_KERNEL[None, None], **options)[0, 0]
    timeline = builtin_scenes().get(f"arith-numerical-{name}").timeline()
    grids = [item for item in timeline.steps[-1].overlay.items if isinstance(item, Grid)]
    output = next(grid for grid in grids if grid.shape == expected.shape and grid.labels)
    assert (_numbers(output) == expected).all()
    shown = next(item for item in timeline.background.items if isinstance(item, Grid))
    pad = options.get("padding", 0)
    inner = _numbers(shown)[pad : pad + 5, pad : pad + 5]
    assert (inner == NUMERICAL_INPUT).all()
    assert len(timeline.steps) == expected.size


@pytest.mark.parametrize("name", list(POOLING))
def test_a_numerical_pooling_figure_ends_with_the_reference_and_marks_each_maximum(name: str) -> None:
    x = NUMERICAL_INPUT[None, None]
    if name == "max-pooling":
        expected = reference.max_pool(x, (3, 3), (1, 1), (0, 0), (1, 1))[0][0, 0]  # (values, indices)
    else:
        expected = reference.avg_pool(x, (3, 3), (1, 1), (0, 0))[0, 0]
    timeline = builtin_scenes().get(f"arith-numerical-{name}").timeline()
    grids = [item for item in timeline.steps[-1].overlay.items if isinstance(item, Grid)]
    output = next(grid for grid in grids if grid.shape == expected.shape)
    assert np.allclose(_numbers(output), expected, atol=0.005)
    for step, (r, c) in zip(timeline.steps, np.ndindex(*expected.shape)):
        marked = [g for g in step.overlay.items if isinstance(g, Grid) and g.shape == (1, 1)]
        if name == "max-pooling":  # the winning cell, in a thick outline, holds the window's maximum
            (winner,) = marked
            assert float(winner.labels[0][0]) == NUMERICAL_INPUT[r : r + 3, c : c + 3].max() == expected[r, c]
        else:
            assert not marked
