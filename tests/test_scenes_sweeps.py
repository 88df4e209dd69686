"""The single-channel sweep scenes: one step per output element, numbers equal to the engine's."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convanim.core import engine
from convanim.picture import Grid, Label, Shade
from convanim.registry import builtin_scenes
from convanim.scenes.arithmetic import NUMERICAL, DIRECT, transposed_of
from convanim.core.spec import ConvSpec
from convanim.blocks import number
from convanim.figures import arithmetic, numeric

ARITH = [f"arith-{name}" for name in DIRECT] + [f"arith-{name}-transposed" for name in DIRECT]


def _output_grids(step) -> list[Grid]:
    return [item for item in step.overlay.items if isinstance(item, Grid)]


def test_the_whole_conv_arithmetic_suite_is_registered() -> None:
    names = builtin_scenes().names()
    assert set(ARITH + ["arith-dilation"]) <= set(names)
    assert len([n for n in names if n.startswith("arith-") and not n.startswith("arith-numerical-")]) == 15
    assert {f"arith-numerical-{name}" for name in NUMERICAL} <= set(names)


@pytest.mark.parametrize("name", sorted(DIRECT))
def test_transposed_counterpart_restores_the_input_size(name: str) -> None:
    direct = ConvSpec.create(**DIRECT[name])
    assert transposed_of(direct).output_size == direct.input_size


@pytest.mark.parametrize("name", ARITH + ["arith-dilation", "basics", "dilated", "transposed", "transposed-strided"])
def test_one_step_per_output_element(name: str) -> None:
    timeline = builtin_scenes().get(name).timeline()
    last = _output_grids(timeline.steps[-1])[-1]
    rows, cols = last.shape
    assert len(timeline.steps) == rows * cols
    # the last step shows every output but one done, and that one active
    roles = [role for row in last.roles for role in row]
    assert roles.count("active") == 1 and roles.count("done") == rows * cols - 1


def test_each_step_shades_the_taps_of_its_placement() -> None:
    spec = ConvSpec.create(7, 3, dilation=2)
    timeline = arithmetic(spec)
    shades = [item for item in timeline.steps[0].overlay.items if isinstance(item, Shade)]
    assert len(shades) == math.prod(spec.kernel_size)  # dilated: one shade per tap, gaps visible


def test_numeric_scene_shows_the_engine_numbers() -> None:
    image = np.arange(25, dtype=float).reshape(1, 5, 5) % 3
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], float)[None, None]
    recording = engine.conv2d(image, kernel, padding=1)
    timeline = numeric(recording)
    final = _output_grids(timeline.steps[-1])[-1]
    shown = [label for row in final.labels for label in row]
    assert shown == [number(v) for v in recording.output[0].ravel()]
    # the products line of each step ends with that step's sum
    for step, (_, products, total) in zip(timeline.steps, recording.placements()):
        text = [i.text for i in step.overlay.items if isinstance(i, Label) and "=" in i.text][0]
        assert text.endswith(f"= {number(total.value)}")
        assert text.count("×") == len(products.products)


def test_computation_scene_reproduces_the_classic_feature_map() -> None:
    timeline = builtin_scenes().get("computation").timeline()
    final = _output_grids(timeline.steps[-1])[-1]
    image = np.array([[int(c) for c in r] for r in ["11100", "01110", "00111", "00110", "01100"]], float)
    kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], float)
    expected = [[np.sum(image[r : r + 3, c : c + 3] * kernel) for c in range(3)] for r in range(3)]
    assert [[float(x) for x in row] for row in final.labels] == expected


def test_number_formatting() -> None:
    assert number(4.0) == "4" and number(-1.0) == "−1" and number(0.125) == "0.12"
