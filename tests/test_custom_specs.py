"""`convanim custom` for every kind of convolution: multi-channel, grouped, depthwise, 1D rows, 3D,
transposed with channels, and more channels than a figure draws.

Each spec's timeline is checked against what its convolution implies (positions from
``spec.output_size``, results from the independent loop reference), then rendered small through
the library API and through the command line.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from convanim import api
from convanim.core import engine
from convanim.cli import main
from convanim.picture import Box, Grid, Label, Step, Timeline
from convanim.core.spec import ConvSpec
from convanim.blocks import MAX_SLICES, number
from convanim.figures import arithmetic, channel_sweep
from convanim.core.notation import formula_text

import reference  # noqa: E402  (the independent reference lives next to the tests)
from scene_phases import phases, shown  # noqa: E402

SIZE = "240x160"

#: name -> the CLI flags of one kind of spec; ConvSpec.create's keywords are read off the flags.
KINDS: dict[str, list[str]] = {
    "multi-channel": ["--input", "5", "--kernel", "3", "--in-channels", "3", "--out-channels", "2"],
    "volume": ["--input", "4", "--kernel", "3", "--dims", "3"],
    "volume-channels": ["--input", "4", "--kernel", "3", "--dims", "3", "--in-channels", "2", "--out-channels", "2",
                        "--bias"],
    "grouped": ["--input", "5", "--kernel", "3", "--groups", "2", "--in-channels", "4", "--out-channels", "4"],
    "depthwise": ["--input", "5", "--kernel", "3", "--groups", "4", "--in-channels", "4", "--out-channels", "4"],
    "transposed-channels": ["--input", "3", "--kernel", "3", "--stride", "2", "--transposed", "--in-channels", "2",
                            "--out-channels", "2"],
    "rows": ["--input", "7", "--kernel", "3", "--padding", "1", "--dims", "1", "--in-channels", "3", "--bias"],
    "many-channels": ["--input", "4", "--kernel", "3", "--in-channels", "6", "--out-channels", "2", "--bias"],
}


def _spec(flags: list[str]) -> ConvSpec:
    """The spec the flags describe, parsed here by hand (not by the CLI under test)."""
    names = {"--input": "input_size", "--kernel": "kernel_size", "--in-channels": "in_channels",
             "--out-channels": "out_channels", "--groups": "groups", "--stride": "stride",
             "--padding": "padding", "--dims": "dims"}
    kwargs: dict[str, object] = {"transposed": "--transposed" in flags, "bias": "--bias" in flags}
    for flag, value in itertools.pairwise(flags):
        if flag in names:
            kwargs[names[flag]] = int(value)
    return ConvSpec.create(**kwargs)


def _reference(recording: engine.Recording) -> np.ndarray:
    """Output channel 0 recomputed from the recording's arrays by the loop reference."""
    spec, x = recording.spec, recording.input[None]
    if spec.transposed:
        out = reference.conv_transpose(x, recording.weight, recording.bias, spec.stride, spec.padding,
                                       spec.output_padding, spec.groups, spec.dilation)
    else:
        out = reference.conv(x, recording.weight, recording.bias, spec.stride, spec.padding, spec.dilation,
                             spec.groups, spec.padding_mode)
    return out[0, 0]


def _steps_expected(spec: ConvSpec) -> int:
    """One step per output position; a 1D/2D figure whose output cells sum several channels adds
    them in a second pass over the positions."""
    positions = math.prod(spec.output_size)
    sums_channels = spec.dims < 3 and spec.in_channels // spec.groups > 1
    return positions * (2 if sums_channels else 1)


def _caption(timeline: Timeline) -> str:
    """The first and last steps' captions, lower case (notes start their lines capitalised)."""
    return " ".join(step.overlay.caption for step in timeline.steps[:1] + timeline.steps[-1:]).lower()


@pytest.mark.parametrize("kind", KINDS)
def test_steps_match_the_convolution(kind: str) -> None:
    spec = _spec(KINDS[kind])
    timeline = arithmetic(spec)
    assert len(timeline.steps) == _steps_expected(spec)
    assert timeline.background.title and timeline.background.formula == formula_text(spec)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("numbers", [False, True])
def test_the_finished_output_shows_the_reference_numbers(kind: str, numbers: bool) -> None:
    spec = _spec(KINDS[kind])
    expected = _reference(engine.run(spec))
    drawn = shown(arithmetic(spec, values="numbers" if numbers else "hidden").steps[-1].overlay.items)
    rows = [[number(v) for v in np.atleast_1d(depth_slice).ravel()] for depth_slice in
            (expected if spec.dims == 3 else [expected])]
    assert all(row in drawn for row in rows)


def test_numbers_write_the_input_values_in_the_slices() -> None:
    spec = _spec(KINDS["multi-channel"])
    recording = engine.run(spec)
    plain = shown(arithmetic(spec).steps[0].overlay.items)
    numbered = shown(arithmetic(spec, values="numbers").steps[0].overlay.items)
    channels = [[number(v) for v in channel.ravel()] for channel in recording.input]
    assert all(c in numbered for c in channels) and not any(c in plain for c in channels)


def test_the_kernel_block_reaches_exactly_the_channels_of_the_group() -> None:
    spec = _spec(KINDS["grouped"])
    reads = spec.in_channels // spec.groups
    sweep, _ = phases(arithmetic(spec))
    for step in sweep:
        (block,) = [i for i in step.overlay.items if isinstance(i, Box)]
        assert block.size[2] == pytest.approx((reads - 1) * _slice_gap(step))


def _slice_gap(step: Step) -> float:
    """World depth between neighbouring slices, read off the drawn grids."""
    depths = sorted({i.origin[2] for i in step.overlay.items if isinstance(i, Grid)})
    return depths[1] - depths[0]


@pytest.mark.parametrize("kind, says", [
    ("multi-channel", ["output channel 0 of 2", "each of the 2"]),
    ("grouped", ["output channel 0 of 4", "group 0 of 2", "channels 0–1"]),
    ("depthwise", ["group 0 of 4", "input channel 0"]),
    ("volume-channels", ["1 of 2 input channels shown (channel 0)", "output channel 0 of 2"]),
])
def test_captions_say_what_is_shown(kind: str, says: list[str]) -> None:
    caption = _caption(arithmetic(_spec(KINDS[kind])))
    assert all(text in caption for text in says), caption


def test_more_channels_than_drawn_are_capped_and_summed_in_one_term() -> None:
    spec = _spec(KINDS["many-channels"])
    recording = engine.run(spec)
    timeline = arithmetic(spec)
    assert f"{MAX_SLICES} of {spec.in_channels} input channels shown" in _caption(timeline)
    sweep, add = phases(timeline)
    blocks = [i for i in sweep[0].overlay.items if isinstance(i, Box)]
    assert len(blocks) == 1
    # the last sum: the drawn channels' partial results, the rest as one term, the bias, the output
    cell = tuple(np.ndindex(*spec.output_size))[-1]
    x, w = recording.input[None], recording.weight
    partial = [reference.conv(x[:, c : c + 1], w[:1, c : c + 1])[0, 0][cell] for c in range(spec.in_channels)]
    rest = sum(partial[MAX_SLICES:])
    label = [i.text for i in add[-1].overlay.items if isinstance(i, Label)][-1]
    assert label.startswith(" + ".join(number(p) for p in partial[:MAX_SLICES]).replace("+ −", "− "))
    assert f"{number(abs(rest))} (channels {MAX_SLICES}–{spec.in_channels - 1})" in label
    assert label.endswith(f"= {number(_reference(recording)[cell])}")


def test_an_output_channel_out_of_range_is_refused() -> None:
    recording = engine.run(_spec(KINDS["multi-channel"]))
    with pytest.raises(ValueError, match="out_channel"):
        channel_sweep(recording, out_channel=recording.spec.out_channels)


@pytest.mark.parametrize("kind", KINDS)
def test_custom_renders_a_gif_through_the_api(kind: str, tmp_path: Path) -> None:
    spec = _spec(KINDS[kind])
    path = api.custom(spec, tmp_path / f"{kind}.gif", size=SIZE)
    with Image.open(path) as image:
        assert image.size == (240, 160)
        assert image.n_frames >= 2


@pytest.mark.parametrize("kind", KINDS)
def test_custom_command_exits_zero(kind: str, tmp_path: Path) -> None:
    out = tmp_path / f"{kind}.gif"
    result = CliRunner().invoke(main, ["custom", *KINDS[kind], "-o", str(out), "--size", SIZE])
    assert result.exit_code == 0, result.output
    assert out.is_file()
