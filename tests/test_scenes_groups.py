"""The separable, matrix and grouped scenes: steps per phase, numbers equal to the engine's, C and Cᵀ."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convanim.core import composite, engine
from convanim.picture import Box, Grid, Label, Line, Timeline
from convanim.registry import builtin_scenes
from convanim.scenes.groups import GROUPED, SEEDS, SHUFFLED
from convanim.scenes.separable import DEPTHWISE, IMAGE, POINTWISE, POINTWISE_SEED
from convanim.blocks import channel_roles, columns, number, shuffled_roles
from convanim.core.matrix import conv_matrix, unrolled
from convanim.core.spec import ConvSpec

import reference  # noqa: E402  (the independent reference lives next to the tests)

SCENES = ["spatial-separable", "transposed-matrix", "depthwise-separable", "grouped", "shuffled-grouped"]
#: The separable figure's factors (the Sobel kernel's, as in the article).
COLUMN, ROW = [1, 2, 1], [-1, 0, 1]


def _timeline(name: str) -> Timeline:
    return builtin_scenes().get(name).timeline()


def _grids(items) -> list[Grid]:
    return [item for item in items if isinstance(item, Grid)]


def _texts(items) -> list[str]:
    return [item.text for item in items if isinstance(item, Label)]


def _shown(grid: Grid) -> list[str]:
    return [label for row in grid.labels for label in row]


def _phases(timeline: Timeline) -> list[list]:
    """Consecutive steps grouped by their caption (each phase has its own)."""
    phases: list[list] = []
    for step in timeline.steps:
        if not phases or phases[-1][-1].overlay.caption != step.overlay.caption:
            phases.append([])
        phases[-1].append(step)
    return phases


# ------------------------------------------------------------------------------ spatial separable


def test_spatial_separable_sweeps_each_pass_once() -> None:
    timeline = _timeline("spatial-separable")
    rows, cols = IMAGE.shape
    middle = (rows - len(COLUMN) + 1, cols)  # the k×1 pass shortens the columns only
    final = (middle[0], cols - len(ROW) + 1)
    assert [len(phase) for phase in _phases(timeline)] == [math.prod(middle), math.prod(final), math.prod(final)]


def test_spatial_separable_shows_the_engine_numbers() -> None:
    timeline = _timeline("spatial-separable")
    shown = np.array([[float(v) for v in row] for row in _grids(timeline.background.items)[0].labels])
    assert np.array_equal(shown, IMAGE)
    rec = composite.spatial_separable(IMAGE, COLUMN, ROW)
    last_of_each = [phase[-1].overlay.items for phase in _phases(timeline)]
    for items, recording in zip(last_of_each, (rec.column_pass, rec.row_pass, rec.full)):
        assert _shown(_grids(items)[-1]) == [number(v) for v in recording.output[0].ravel()]
    # the counts in the figure are the specs' own
    counts = " ".join(_texts(timeline.background.items))
    assert f"= {rec.separable_macs:,} vs {rec.full_macs:,}" in counts
    assert f"= {rec.separable_macs_per_output} vs {rec.full_macs_per_output}" in counts
    params = rec.column_pass.spec.params + rec.row_pass.spec.params
    assert f"= {params} vs {rec.full.spec.params}" in counts


# ------------------------------------------------------------------------------ the matrix C


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1), dict(padding=1, dilation=2)])
def test_c_times_x_is_the_convolution(kwargs: dict) -> None:
    spec = ConvSpec.create(5, 3, **kwargs)
    recording = engine.run(spec, seed=3)
    matrix, structure = conv_matrix(recording)
    expected = reference.conv(recording.input[None], recording.weight, **kwargs)[0, 0]
    assert np.allclose(matrix @ recording.input.ravel(), expected.ravel())
    # every tap on a real input cell is one entry of C, padding taps none
    taps = sum(tap.kind == "input" for placed, _, _ in recording.placements() for tap in placed.taps)
    assert structure.sum() == taps


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 0), (2, 1)])
def test_c_transposed_is_the_transposed_convolution(stride: int, padding: int) -> None:
    direct = engine.run(ConvSpec.create(5, 3, stride=stride, padding=padding), seed=1)
    small = direct.spec.output_size
    y = np.random.default_rng(2).integers(0, 4, (1, *small)).astype(float)
    lost = direct.spec.input_size[0] - ((small[0] - 1) * stride + 3 - 2 * padding)
    back = engine.conv_transpose2d(y, direct.weight, stride=stride, padding=padding, output_padding=lost)
    u = unrolled(direct, back)
    assert np.allclose(u.matrix.T @ y.ravel(), back.output.ravel())
    expected = reference.conv_transpose(y[None], direct.weight, stride=stride, padding=padding, output_padding=lost)
    assert np.allclose(u.matrix.T @ y.ravel(), expected.ravel())
    # read off the transposed recording's own taps, the matrix is Cᵀ
    assert np.allclose(conv_matrix(back)[0], u.matrix.T)


def test_unrolled_refuses_a_different_kernel() -> None:
    direct = engine.run(ConvSpec.create(4, 3))
    back = engine.run(ConvSpec.create(2, 3, transposed=True), weight=direct.weight + 1)
    with pytest.raises(ValueError, match="same weights"):
        unrolled(direct, back)


def test_matrix_scene_draws_c_and_its_transpose() -> None:
    timeline = _timeline("transposed-matrix")
    matrices = [g for g in _grids(timeline.background.items) if "matrix_zero" in {r for row in g.roles for r in row}]
    c, ct = matrices
    assert ct.shape == c.shape[::-1]
    assert np.array_equal(np.nan_to_num(_values(ct)), np.nan_to_num(_values(c)).T)
    # structural zeros and entries have their own roles, and entries are the kernel's weights
    for row_roles, row_labels in zip(c.roles, c.labels):
        assert all((role == "matrix_value") == (label != "") for role, label in zip(row_roles, row_labels))
    n_out, n_in = c.shape
    kernel = math.prod(ConvSpec.create(int(math.isqrt(n_in)), 3).kernel_size)
    assert sum(role == "matrix_value" for row in c.roles for role in row) == n_out * kernel
    # one step per row of C, then one per row of Cᵀ
    assert [len(phase) for phase in _phases(timeline)] == [n_out, n_in]


def test_matrix_scene_products_are_the_engine_outputs() -> None:
    timeline = _timeline("transposed-matrix")
    grids = _grids(timeline.background.items)
    x = np.array([[float(t) for t in row] for row in grids[0].labels])
    y_in = np.array([[float(t) for t in row] for row in grids[1].labels])
    kernel = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    direct = engine.conv2d(x[None], kernel)
    back = engine.conv_transpose2d(y_in[None], kernel)
    expected = [*direct.output.ravel(), *back.output.ravel()]
    lines = [next(t for t in _texts(step.overlay.items) if "=" in t) for step in timeline.steps]
    assert [line.rsplit("= ", 1)[1] for line in lines] == [number(v) for v in expected]


# ------------------------------------------------------------------------------ depthwise and grouped


def _positions(spec: ConvSpec) -> int:
    """Output positions of an unpadded, unit-stride convolution: (i − k + 1) per axis."""
    return math.prod(i - k + 1 for i, k in zip(spec.input_size, spec.kernel_size))


def _values(grid: Grid) -> np.ndarray:
    return np.array([[float(t.replace("−", "-")) if t else np.nan for t in row] for row in grid.labels])


def _shows(items, expected: np.ndarray) -> bool:
    """Whether some grid among ``items`` shows exactly the matrix ``expected``."""
    return any(np.array_equal(_values(g), expected) for g in _grids(items) if g.labels and g.shape == expected.shape)


def _batched(x: np.ndarray) -> np.ndarray:
    return np.asarray(x)[None]


def test_depthwise_separable_phases_and_numbers() -> None:
    timeline = _timeline("depthwise-separable")
    assert [len(p) for p in _phases(timeline)] == [_positions(DEPTHWISE), _positions(POINTWISE), 1]
    drawn = engine.run(DEPTHWISE)
    depthwise = reference.conv(_batched(drawn.input), drawn.weight, groups=DEPTHWISE.in_channels)[0]
    weight = engine.run(POINTWISE, input=depthwise, seed=POINTWISE_SEED).weight
    pointwise = reference.conv(_batched(depthwise), weight)[0]
    last = timeline.steps[-1].overlay.items
    assert all(_shows(last, depthwise[c]) for c in range(DEPTHWISE.in_channels))
    assert _shows(last, pointwise[0])
    # the 128-kernel output is one block; the counts are the article's shape's, computed here
    assert sum(isinstance(item, Box) for item in last) == 1
    positions, (k,) = _positions(DEPTHWISE), set(DEPTHWISE.kernel_size)
    channels, kernels = DEPTHWISE.in_channels, POINTWISE.out_channels
    separable = positions * channels * k * k + positions * channels * kernels
    standard = positions * kernels * channels * k * k
    assert f"= {separable:,} vs {standard:,}" in " ".join(_texts(timeline.background.items))


def test_depthwise_products_are_the_pointwise_sums() -> None:
    timeline = _timeline("depthwise-separable")
    pointwise = _phases(timeline)[1]
    drawn = engine.run(DEPTHWISE)
    depthwise = reference.conv(_batched(drawn.input), drawn.weight, groups=DEPTHWISE.in_channels)[0]
    weight = engine.run(POINTWISE, input=depthwise, seed=POINTWISE_SEED).weight
    expected = reference.conv(_batched(depthwise), weight)[0, 0].ravel()
    lines = [next(t for t in _texts(step.overlay.items) if "×" in t) for step in pointwise]
    assert [line.rsplit("= ", 1)[1] for line in lines] == [number(v) for v in expected]


def test_grouped_scene_keeps_each_kernel_in_its_group() -> None:
    timeline = _timeline("grouped")
    sweep, final = _phases(timeline)
    assert len(sweep) == _positions(GROUPED) and len(final) == 1
    # one kernel block per group at every position, never one across groups
    assert all(sum(isinstance(i, Box) for i in step.overlay.items) == GROUPED.groups for step in sweep)
    drawn = engine.run(GROUPED)
    expected = reference.conv(_batched(drawn.input), drawn.weight, groups=GROUPED.groups)[0]
    assert all(_shows(final[0].overlay.items, expected[c]) for c in range(GROUPED.out_channels))
    standard = ConvSpec.create(GROUPED.input_size, GROUPED.kernel_size, in_channels=GROUPED.in_channels,
                               out_channels=GROUPED.out_channels)
    counts = " ".join(_texts(timeline.background.items))
    assert f"{standard.macs // GROUPED.groups:,} vs {standard.macs:,}" in counts
    assert f"{standard.params // GROUPED.groups:,} vs {standard.params:,}" in counts


def test_shuffled_scene_feeds_gconv2_the_shuffled_channels() -> None:
    timeline = _timeline("shuffled-grouped")
    first, shuffle, second = _phases(timeline)
    channels, groups = SHUFFLED.out_channels, SHUFFLED.groups
    assert [len(first), len(shuffle), len(second)] == [_positions(SHUFFLED), channels, _positions(SHUFFLED)]
    # one arrow more per shuffle step, one per channel in the end
    arrows = [sum(isinstance(i, Line) and i.arrow for i in step.overlay.items) for step in shuffle]
    assert [a - arrows[0] for a in arrows] == list(range(channels))
    drawn = engine.run(SHUFFLED, seed=SEEDS[0])
    y = reference.conv(_batched(drawn.input), drawn.weight, groups=groups)
    mixed = reference.shuffle(y, groups)
    z = reference.conv(mixed, engine.run(SHUFFLED, seed=SEEDS[1]).weight, groups=groups)[0]
    last = second[-1].overlay.items
    assert all(_shows(last, mixed[0, c]) for c in range(channels))
    # GConv2's outputs, each with every cell shown in the last step (the last one active)
    computing = [_values(g) for g in _grids(last) if any("active" in row for row in g.roles)]
    assert len(computing) == channels
    assert all(any(np.array_equal(shown, channel) for shown in computing) for channel in z)


def test_after_a_shuffle_every_group_holds_every_colour() -> None:
    for channels, groups in ((4, 2), (9, 3), (8, 2)):  # at least as many channels per group as groups
        before, after = columns([(channels, 3, 3), (channels, 3, 3)], groups)
        roles = shuffled_roles(after, channel_roles(before), engine.channel_shuffle_order(channels, groups))
        assert all(set(group) == {f"group{g}" for g in range(groups)} for group in roles)


# ------------------------------------------------------------------------------ every scene


@pytest.mark.parametrize("name", SCENES)
def test_scene_renders_small(name: str) -> None:
    render = pytest.importorskip("convanim.renderer")
    timeline = _timeline(name)
    for index in (0, len(timeline.steps) - 1):
        image = render.render_still(timeline, index, size="240x160")
        assert image.size == (240, 160)
