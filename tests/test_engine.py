"""The engine against an independent loop reference, the recordings' own bookkeeping, and laziness."""

from __future__ import annotations

import itertools
import tracemalloc
import types

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convanim.core import engine
from convanim.core import recording as recording_module
from convanim.core.engine import INPUT, INSERTED, PADDING, TAP_KINDS
from convanim.core.events import KernelPlaced, PaddingAdded, SumWritten, ZerosInserted
from convanim.core.spec import ConvSpec

import reference  # noqa: E402  (the independent reference lives next to the tests)

FAST = settings(max_examples=40, deadline=None)
MODES = ("zeros", "reflect", "replicate", "circular")


def sizes_per_dim(draw, dims: int):
    """A drawer of one int per spatial dim in [low, high]."""
    return lambda low, high: draw(st.tuples(*[st.integers(low, high)] * dims))
CONV = {1: engine.conv1d, 2: engine.conv2d, 3: engine.conv3d}
CONV_T = {1: engine.conv_transpose1d, 2: engine.conv_transpose2d, 3: engine.conv_transpose3d}
MAX_SIZE = {1: 8, 2: 6, 3: 4}


def small_ints(seed: int, shape) -> np.ndarray:
    """Small integer values as floats, so sums are exact and comparisons need no tolerance."""
    return np.random.default_rng(seed).integers(-3, 4, shape).astype(np.float64)


@st.composite
def direct_case(draw, modes=MODES, string_padding=True):
    """A valid direct convolution with every parameter drawn: rank, groups, stride, dilation, padding, mode."""
    dims = draw(st.integers(1, 3))
    per_dim = sizes_per_dim(draw, dims)
    groups = draw(st.integers(1, 3))
    in_channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = per_dim(1, 3 if dims < 3 else 2)
    dilation = per_dim(1, 2)
    mode = draw(st.sampled_from(modes))
    numeric = st.one_of(st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * dims))
    padding = draw(st.one_of(st.sampled_from(["same", "valid"]), numeric) if string_padding else numeric)
    stride = (1,) * dims if padding == "same" else per_dim(1, 3)
    pairs = reference.padding_pairs(padding, kernel, dilation)
    sizes = []
    for k, d, (before, after) in zip(kernel, dilation, pairs):
        widest = max(before, after)
        border = widest + 1 if mode == "reflect" else widest if mode == "circular" else 1
        low = max(1, d * (k - 1) + 1 - before - after, border)
        sizes.append(draw(st.integers(low, max(low, MAX_SIZE[dims]))))
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    seed = draw(st.integers(0, 2**16))
    x = small_ints(seed, (*batch, in_channels, *sizes))
    w = small_ints(seed + 1, (out_channels, in_channels // groups, *kernel))
    b = small_ints(seed + 2, (out_channels,)) if draw(st.booleans()) else None
    return dict(dims=dims, x=x, w=w, b=b, stride=stride, padding=padding, dilation=dilation, groups=groups, mode=mode)


@st.composite
def transposed_case(draw):
    """A valid transposed convolution: stride, padding (also wider than d(k-1)), output_padding, dilation, groups."""
    dims = draw(st.integers(1, 3))
    per_dim = sizes_per_dim(draw, dims)
    groups = draw(st.integers(1, 3))
    in_channels, out_per_group = groups * draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel, stride, dilation = per_dim(1, 3 if dims < 3 else 2), per_dim(1, 3), per_dim(1, 2)
    padding = per_dim(0, 2)
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    sizes = per_dim(1, MAX_SIZE[dims] - 1)
    outputs = [(i - 1) * s - 2 * p + d * (k - 1) + a + 1
               for i, s, p, d, k, a in zip(sizes, stride, padding, dilation, kernel, output_padding)]
    assume(min(outputs) >= 1)
    batch = draw(st.sampled_from([(), (2,)]))
    seed = draw(st.integers(0, 2**16))
    x = small_ints(seed, (*batch, in_channels, *sizes))
    w = small_ints(seed + 1, (in_channels, out_per_group, *kernel))
    b = small_ints(seed + 2, (out_per_group * groups,)) if draw(st.booleans()) else None
    return dict(dims=dims, x=x, w=w, b=b, stride=stride, padding=padding, output_padding=output_padding,
                dilation=dilation, groups=groups)


def record_direct(case) -> engine.Recording:
    return CONV[case["dims"]](case["x"], case["w"], case["b"], case["stride"], case["padding"], case["dilation"],
                              case["groups"], padding_mode=case["mode"])


def record_transposed(case) -> engine.Recording:
    return CONV_T[case["dims"]](case["x"], case["w"], case["b"], case["stride"], case["padding"],
                                case["output_padding"], case["groups"], case["dilation"])


def batched(array: np.ndarray, dims: int) -> np.ndarray:
    return array if array.ndim == dims + 2 else array[None]


# ------------------------------------------------------------------------------- agreement


@FAST
@given(direct_case())
def test_direct_convolution_matches_the_reference(case):
    recording = record_direct(case)
    dims, x = case["dims"], case["x"]
    expected = reference.conv(batched(x, dims), case["w"], case["b"], case["stride"], case["padding"],
                              case["dilation"], case["groups"], case["mode"])
    assert recording.output.shape == (expected.shape if x.ndim == dims + 2 else expected.shape[1:])
    np.testing.assert_array_equal(batched(recording.output, dims), expected)
    pairs = reference.padding_pairs(case["padding"], case["w"].shape[2:], recording.spec.dilation)
    padded = np.stack([reference.pad(sample, pairs, case["mode"]) for sample in batched(x, dims)])
    np.testing.assert_array_equal(batched(recording.grid, dims), padded)
    check_recording(recording)


@FAST
@given(transposed_case())
def test_transposed_convolution_matches_the_scatter_reference(case):
    recording = record_transposed(case)
    dims, x = case["dims"], case["x"]
    expected = reference.conv_transpose(batched(x, dims), case["w"], case["b"], case["stride"], case["padding"],
                                        case["output_padding"], case["groups"], case["dilation"])
    np.testing.assert_array_equal(batched(recording.output, dims), expected)
    assert recording.output.ndim == x.ndim
    check_transposed_grid(recording)
    check_recording(recording)


@FAST
@given(direct_case(modes=("zeros",), string_padding=False), st.integers(0, 2**16))
def test_adjoint_identity_pins_down_transposed_semantics(case, seed):
    """<conv(x), y> = <x, conv_transpose(y)> with the same weight, stride, padding, dilation and groups."""
    dims = case["dims"]
    forward = CONV[dims](case["x"], case["w"], None, case["stride"], case["padding"], case["dilation"], case["groups"])
    spec = forward.spec
    y = small_ints(seed, forward.output.shape)
    output_padding = tuple(
        (i + b + a - d * (k - 1) - 1) % s
        for i, (b, a), d, k, s in zip(spec.input_size, spec.padding_pairs, spec.dilation, spec.kernel_size, spec.stride)
    )
    backward = CONV_T[dims](y, case["w"], None, case["stride"], case["padding"], output_padding, case["groups"],
                            case["dilation"])
    assert backward.output.shape == case["x"].shape
    assert np.vdot(forward.output, y) == np.vdot(case["x"], backward.output)


# ------------------------------------------------------------------------------- bookkeeping


def check_recording(recording: engine.Recording) -> None:
    """The recording's events agree with its arrays, element by element."""
    events = list(recording.events)
    placed = [e for e in events if isinstance(e, KernelPlaced)]
    sums = [e for e in events if isinstance(e, SumWritten)]
    # narration order: grid events, then (placed, products, sum) per output element in C order
    every_output = list(np.ndindex(recording.output.shape))
    assert [p.out_index for p in placed] == every_output
    assert [s.out_index for s in sums] == every_output
    first_placement = len(events) - 3 * len(every_output)
    assert all(not isinstance(e, (KernelPlaced, SumWritten)) for e in events[:first_placement])
    assert list(itertools.chain.from_iterable(recording.placements())) == events[first_placement:]
    spec = recording.spec
    in_per_group, out_per_group = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    channel_axis = 1 if recording.batched else 0
    for kernel_placed, products, summed in recording.placements():
        out_channel = kernel_placed.out_index[channel_axis]
        assert kernel_placed.group == out_channel // out_per_group
        assert len(kernel_placed.taps) == in_per_group * np.prod(spec.kernel_size)
        columns = (kernel_placed.taps, products.inputs, products.weights, products.products)
        for tap, value, weight, product in zip(*columns):
            assert tap.grid_index[channel_axis] // in_per_group == kernel_placed.group
            assert recording.grid[tap.grid_index] == value
            assert recording.direct_weight[tap.weight_index] == weight and tap.weight_index[0] == out_channel
            assert value * weight == product
            assert tap.kind == TAP_KINDS[recording.mask[tap.grid_index]]
        assert sum(products.products) + summed.bias == summed.value == recording.output[summed.out_index]
    check_grid_events(recording, events[:first_placement])


def check_grid_events(recording: engine.Recording, grid_events) -> None:
    """The grid events name exactly the non-input cells, padding with the grid's (padding mode's) values."""
    by_type = {type(e): e for e in grid_events}
    assert len(by_type) == len(grid_events)
    for kind, event_type in ((PADDING, PaddingAdded), (INSERTED, ZerosInserted)):
        cells = [tuple(c) for c in np.argwhere(recording.mask == kind)]
        assert (list(by_type[event_type].cells) if event_type in by_type else []) == cells
    if PaddingAdded in by_type:
        padding = by_type[PaddingAdded]
        assert padding.mode == recording.spec.padding_mode
        assert list(padding.values) == [recording.grid[c] for c in padding.cells]


def check_transposed_grid(recording: engine.Recording) -> None:
    """The input sits in the grid, in order, every stride-th cell; all other cells are zero."""
    grid, mask = recording.grid, recording.mask
    assert grid.shape == mask.shape
    assert not grid[mask != INPUT].any()
    spec = recording.spec
    cropped = any(d * (k - 1) < p for d, k, (p, _) in zip(spec.dilation, spec.kernel_size, spec.padding_pairs))
    if not cropped:
        np.testing.assert_array_equal(grid[mask == INPUT], recording.input.ravel())


def test_padding_taps_carry_each_modes_value():
    """A 1D input [1, 2, 3] padded by 2: the border cells read by the definition of every mode."""
    x = np.array([[1.0, 2.0, 3.0]])
    for mode in MODES:
        recording = engine.conv1d(x, np.ones((1, 1, 1)), padding=2, padding_mode=mode)
        expected = [0.0 if (src := reference.source_index(j, 3, 2, mode)) is None else x[0, src] for j in range(7)]
        taps = [tap for placed, _, _ in recording.placements() for tap in placed.taps]
        assert [recording.grid[t.grid_index] for t in taps] == expected
        assert [t.kind for t in taps] == ["padding"] * 2 + ["input"] * 3 + ["padding"] * 2


def test_products_count_equals_the_specs_macs():
    spec = ConvSpec.create((5, 6), (3, 2), stride=(2, 1), padding=1, in_channels=4, out_channels=6, groups=2)
    recording = engine.run(spec)
    assert sum(len(p.products) for _, p, _ in recording.placements()) == spec.macs


# ------------------------------------------------------------------------------- other API


@FAST
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 2), st.integers(0, 2**16))
def test_channel_shuffle_matches_the_reference(groups, per_group, batch, seed):
    x = small_ints(seed, (batch, groups * per_group, 2, 3))
    np.testing.assert_array_equal(engine.channel_shuffle(x, groups), reference.shuffle(x, groups))
    order = engine.channel_shuffle_order(groups * per_group, groups)
    np.testing.assert_array_equal(engine.channel_shuffle(x, groups), x[:, list(order)])


def test_channel_shuffle_refuses_what_pytorch_refuses():
    with pytest.raises(ValueError, match="groups"):
        engine.channel_shuffle(np.zeros((1, 6, 2)), 4)
    with pytest.raises(ValueError, match="input"):
        engine.channel_shuffle(np.zeros((6, 2)), 2)


def test_run_draws_small_deterministic_values():
    spec = ConvSpec.create(5, 3, in_channels=2, out_channels=3, bias=True)
    first, again = engine.run(spec, seed=7), engine.run(spec, seed=7)
    np.testing.assert_array_equal(first.output, again.output)
    assert set(np.unique(first.input)) <= {0, 1, 2, 3}
    assert set(np.unique(first.weight)) | set(np.unique(first.bias)) <= {-1, 0, 1}
    assert first.input.shape == (2, 5, 5) and engine.run(spec, batched=True).input.shape == (1, 2, 5, 5)
    given_input = np.ones((2, 5, 5))
    mixed = engine.run(spec, input=given_input, seed=7)
    np.testing.assert_array_equal(mixed.weight, first.weight)  # giving one array leaves the others' draws alone
    np.testing.assert_array_equal(mixed.input, given_input)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: engine.conv2d(np.zeros((5, 5)), np.zeros((1, 1, 3, 3))), "input"),
        (lambda: engine.conv2d(np.zeros((1, 5, 5)), np.zeros((1, 3, 3))), "weight"),
        (lambda: engine.conv2d(np.zeros((2, 5, 5)), np.zeros((1, 1, 3, 3))), "weight"),
        (lambda: engine.conv2d(np.zeros((1, 5, 5)), np.zeros((1, 1, 3, 3)), np.zeros(2)), "bias"),
        (lambda: engine.conv_transpose2d(np.zeros((2, 3, 3)), np.zeros((1, 1, 3, 3))), "weight"),
        (lambda: engine.run(ConvSpec.create(5, 3), bias=np.zeros(1)), "bias"),
        (lambda: engine.run(ConvSpec.create(5, 3), input=np.zeros((1, 4, 4))), "input"),
        (lambda: engine.conv1d(np.zeros((1, 3)), np.zeros((1, 1, 5))), "kernel_size"),
    ],
)
def test_bad_arrays_get_an_error_naming_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()


def test_recording_arrays_are_read_only_and_do_not_alias_the_callers():
    x = np.ones((1, 4, 4))
    recording = engine.conv2d(x, np.ones((1, 1, 3, 3)), padding=1)
    x[0, 0, 0] = 9
    assert recording.input[0, 0, 0] == 1
    for name in ("input", "weight", "output", "grid", "mask", "direct_weight"):
        with pytest.raises(ValueError):
            getattr(recording, name)[(0,) * getattr(recording, name).ndim] = 5


# ------------------------------------------------------------------------------- laziness


def test_events_are_a_new_lazy_iterator_each_time():
    recording = engine.run(ConvSpec.create(5, 3, padding=1))
    first, second = recording.events, recording.events
    assert isinstance(first, types.GeneratorType) and first is not second
    assert next(first) == next(second)


def peak_streaming_bytes(out_channels: int) -> tuple[int, int]:
    """Peak traced memory while streaming every event of a 1D convolution, and the event count.

    The input stays the same, so only the number of events changes with ``out_channels``.
    """
    recording = engine.run(ConvSpec.create(300, 3, in_channels=8, out_channels=out_channels, dims=1))
    tracemalloc.start()
    count = sum(1 for _ in recording.events)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, count


def test_streaming_memory_does_not_grow_with_the_event_count(monkeypatch):
    """Memory is bounded by one chunk of placements; a small chunk keeps this test quick."""
    monkeypatch.setattr(recording_module, "_TAPS_PER_CHUNK", 512)
    peak_streaming_bytes(1)  # warm up: first-use allocations (caches, imports) must not count
    few_peak, few_count = peak_streaming_bytes(1)
    many_peak, many_count = peak_streaming_bytes(6)
    assert many_count > 5 * few_count
    assert many_peak < 2 * few_peak  # keeping the events would take about 6 times as much
