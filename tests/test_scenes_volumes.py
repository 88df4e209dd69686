"""The channel and volume scenes: steps per phase, numbers equal to an independent reference, costs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convanim.core import engine
from convanim.picture import Box, Grid, Label, Shade, Timeline
from convanim.renderer import render_still
from convanim.registry import builtin_scenes
from convanim.scenes import channels, factorised
from convanim.blocks import group_roles, kernel_through, number, Stack, sweep_windows

import reference  # noqa: E402  (the independent reference lives next to the tests)
from scene_phases import phases, shown  # noqa: E402

SCENES = ["conv2d-multi", "conv3d", "conv1x1", "flattened"]


def _timeline(name: str) -> Timeline:
    return builtin_scenes().get(name).timeline()


def _numbers(values: np.ndarray) -> list[str]:
    return [number(v) for v in np.asarray(values).ravel()]


def _reference(recording: engine.Recording) -> np.ndarray:
    """The recording's output recomputed from its input, weight and bias by the loop reference."""
    spec = recording.spec
    return reference.conv(recording.input[None], recording.weight, recording.bias, spec.stride, spec.padding)[0]


@pytest.mark.parametrize("name", SCENES)
def test_scene_builds_with_title_caption_and_formula(name: str) -> None:
    timeline = _timeline(name)
    assert timeline.background.title
    for step in timeline.steps:
        assert "→ o=" in step.overlay.caption and "o = " in step.overlay.formula


def test_conv2d_multi_sweeps_then_sums_once_per_output_cell() -> None:
    recording = engine.run(channels.MULTI, seed=channels.MULTI_SEED)
    positions = recording.output[0].size
    sweep, add = phases(_timeline("conv2d-multi"))
    assert len(sweep) == len(add) == positions
    assert all(any(isinstance(i, Box) for i in step.overlay.items) for step in sweep)
    expected = _reference(recording)
    partials = [
        reference.conv(recording.input[None, c : c + 1], recording.weight[:, c : c + 1])[0, 0]
        for c in range(channels.MULTI.in_channels)
    ]
    drawn = shown(add[-1].overlay.items)
    assert all(_numbers(p) in drawn for p in partials)
    assert _numbers(expected) in drawn
    bias = number(recording.bias[0])
    cell = tuple(np.ndindex(*expected.shape[1:]))[-1]
    terms = [*(number(p[cell]) for p in partials), bias]
    label = [i.text for i in add[-1].overlay.items if isinstance(i, Label)][-1]
    assert label == f"{' + '.join(terms)} = {number(expected[0][cell])}".replace("+ −", "− ")


def test_conv3d_sweeps_every_output_cell_of_the_volume() -> None:
    recording = engine.run(channels.VOLUME)
    (sweep,) = phases(_timeline("conv3d"))
    assert len(sweep) == math.prod(recording.output.shape)
    expected = _reference(recording)[0]
    drawn = shown(sweep[-1].overlay.items)
    assert all(_numbers(depth_slice) in drawn for depth_slice in expected)
    # the kernel is one block reaching through as many depth slices as it is deep, its window
    # shaded on each of them; no solid slice in front of it hides it (those are see-through)
    kernel_depth = channels.VOLUME.kernel_size[0]
    for step in sweep:
        (block,) = [i for i in step.overlay.items if isinstance(i, Box)]
        windows = [i for i in step.overlay.items if isinstance(i, Shade) and i.role == "kernel"]
        depths = sorted({corner[2] for i in windows for corner in i.corners})
        assert len(depths) == kernel_depth
        assert block.origin[2] == depths[0] and block.size[2] == pytest.approx(depths[-1] - depths[0])
        slices = [i for i in step.overlay.items if isinstance(i, Grid) and i.roles[0][0] == "input"]
        see_through = [i for i in step.overlay.items if isinstance(i, Shade) and i.role == "input"]
        assert all(grid.origin[2] >= depths[0] for grid in slices)
        assert all(sheet.corners[0][2] < depths[0] for sheet in see_through)
        assert len(slices) + len(see_through) == channels.VOLUME.input_size[0]
    assert any(step for step in sweep if any(isinstance(i, Shade) and i.role == "input" for i in step.overlay.items))


def test_conv1x1_runs_one_sweep_per_kernel_with_the_engine_numbers() -> None:
    recording = engine.run(channels.POINTWISE)
    steps = phases(_timeline("conv1x1"))
    out_channels, *size = recording.output.shape
    assert [len(phase) for phase in steps] == [math.prod(size)] * out_channels
    expected = _reference(recording)
    drawn = shown(steps[-1][-1].overlay.items)
    assert all(_numbers(channel) in drawn for channel in expected)
    columns = [i for i in steps[0][0].overlay.items if isinstance(i, Box)]
    assert len(columns) == 1 and columns[0].size[:2] == (1, 1)


def test_flattened_sweeps_each_pass_and_counts_from_the_specs() -> None:
    chain = factorised.flattened_recording()
    passes = (chain.channel_pass, chain.vertical_pass, chain.horizontal_pass)
    timeline = _timeline("flattened")
    steps = phases(timeline)
    assert [len(phase) for phase in steps] == [p.output.size for p in passes]
    image = chain.channel_pass.input[None]
    across = reference.conv(image, np.array(factorised.ACROSS).reshape(1, -1, 1, 1))
    vertical = reference.conv(across, np.array(factorised.VERTICAL).reshape(1, 1, -1, 1))
    horizontal = reference.conv(vertical, np.array(factorised.HORIZONTAL).reshape(1, 1, 1, -1))
    drawn = shown(steps[-1][-1].overlay.items)
    assert all(_numbers(result) in drawn for result in (across, vertical, horizontal))
    texts = " ".join(i.text for i in timeline.background.items if isinstance(i, Label))
    standard_macs = math.prod(horizontal.shape) * chain.channel_pass.input.shape[0] * len(factorised.VERTICAL) ** 2
    assert f"{standard_macs} multiplications" in texts
    assert f"= {sum(p.output.size * p.weight.size for p in passes)} multiplications" in texts


def test_windows_draw_back_slices_first_and_refuse_a_gappy_block() -> None:
    stack = Stack((0.0, 0.0, 0.0), 3, 2, 2)
    grids = stack.grids(group_roles(3, 3))
    items = kernel_through(stack, grids, [None, None, None])
    assert [g.origin[2] for g in items] == sorted((g.origin[2] for g in grids), reverse=True)
    one = sweep_windows(engine.conv2d(np.ones((1, 2, 2)), np.ones((1, 1, 1, 1))))[0]
    with pytest.raises(ValueError, match="consecutive"):
        kernel_through(stack, grids, [one, None, one])


@pytest.mark.parametrize("name", SCENES)
def test_scene_renders_small(name: str) -> None:
    timeline = _timeline(name)
    for index in (0, len(timeline.steps) - 1):
        image = render_still(timeline, index, size="240x160")
        assert image.size == (240, 160)
        assert len(np.unique(np.asarray(image).reshape(-1, 3), axis=0)) > 3
