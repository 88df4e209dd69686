"""Pooling against the plain-loop reference written from PyTorch's kernels, its events, its spec and its refusals."""

from __future__ import annotations

import re
import types

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convanim.core import pooling
from convanim.core.events import MaximumFound, MeanWritten, PaddingAdded, ValuesRead, WindowPlaced
from convanim.core.notation import formula
from convanim.core.pool_recording import PADDING, POOL_CELL_KINDS
from convanim.core.pool_spec import PoolSpec

import reference  # noqa: E402  (the independent reference lives next to the tests)

FAST = settings(max_examples=40, deadline=None)
MAX_POOL = {1: pooling.max_pool1d, 2: pooling.max_pool2d, 3: pooling.max_pool3d}
AVG_POOL = {1: pooling.avg_pool1d, 2: pooling.avg_pool2d, 3: pooling.avg_pool3d}
MAX_SIZE = {1: 9, 2: 6, 3: 4}


@st.composite
def pool_params(draw, kind=None):
    """A pooling PyTorch accepts, every parameter drawn: rank, kernel, stride, padding up to half the kernel,
    dilation (max), ceil mode, count_include_pad and divisor_override (avg)."""
    kind = kind or draw(st.sampled_from(("max", "avg")))
    dims = draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 3)] * dims)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims)) if kind == "max" else (1,) * dims
    sizes = tuple(draw(st.integers(1, MAX_SIZE[dims])) for _ in range(dims))
    ceil_mode = draw(st.booleans())
    steps = kernel if stride is None else stride
    assume(min(reference.pool_output_size(*args, ceil_mode)
               for args in zip(sizes, kernel, steps, padding, dilation)) >= 1)
    options = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
    if kind == "max":
        options.update(dilation=dilation, return_indices=draw(st.booleans()))
    else:
        options["count_include_pad"] = draw(st.booleans())
        if dims > 1:  # avg_pool1d has no divisor_override, as in PyTorch
            options["divisor_override"] = draw(st.one_of(st.none(), st.integers(1, 5)))
    return kind, dims, sizes, options


@st.composite
def pool_case(draw, kind=None):
    """A pooling and an input for it (sometimes batched; a max pooling's input sometimes holds a NaN)."""
    kind, dims, sizes, options = draw(pool_params(kind))
    batch = draw(st.sampled_from([(), (2,)]))
    channels = draw(st.integers(1, 2))
    x = np.random.default_rng(draw(st.integers(0, 2**16))).integers(-3, 4, (*batch, channels, *sizes)).astype(float)
    if kind == "max" and draw(st.integers(0, 4)) == 0:
        x.flat[draw(st.integers(0, x.size - 1))] = np.nan
    return kind, dims, x, options


def record(kind: str, dims: int, x: np.ndarray, options: dict) -> pooling.PoolRecording:
    return (MAX_POOL if kind == "max" else AVG_POOL)[dims](x, **options)


def batched(array: np.ndarray, recording: pooling.PoolRecording) -> np.ndarray:
    return array if recording.batched else array[None]


# ------------------------------------------------------------------------------- agreement


@FAST
@given(pool_case())
def test_pooling_matches_the_pytorch_kernel_reference(case):
    kind, dims, x, options = case
    recording = record(kind, dims, x, options)
    xb = batched(x, recording)
    if kind == "max":
        expected, indices = reference.max_pool(xb, options["kernel_size"], options["stride"], options["padding"],
                                               options["dilation"], options["ceil_mode"])
        np.testing.assert_array_equal(batched(recording.indices, recording), indices)
    else:
        expected = reference.avg_pool(xb, options["kernel_size"], options["stride"], options["padding"],
                                      options["ceil_mode"], options["count_include_pad"],
                                      options.get("divisor_override"))
    np.testing.assert_allclose(batched(recording.output, recording), expected, rtol=1e-12)
    assert recording.output.ndim == x.ndim
    check_events(recording)


def check_events(recording: pooling.PoolRecording) -> None:
    """Each window's events agree with the arrays: cells, kinds, values read, and the result written."""
    events = list(recording.events)
    has_padding = bool((recording.mask == PADDING).any())
    assert isinstance(events[0], PaddingAdded) == has_padding
    placements = list(recording.placements())
    assert repr([e for p in placements for e in p]) == repr(events[int(has_padding):])  # repr: NaN is not NaN
    assert [placed.out_index for placed, _, _ in placements] == list(np.ndindex(recording.output.shape))
    for placed, read, result in placements:
        assert isinstance(placed, WindowPlaced) and isinstance(read, ValuesRead)
        assert len(placed.cells) == np.prod(recording.spec.kernel_size)
        for cell, value in zip(placed.cells, read.values):
            assert cell.kind == POOL_CELL_KINDS[recording.mask[cell.grid_index]]
            np.testing.assert_equal(recording.grid[cell.grid_index], value)
            if cell.kind != "input":
                assert value == (-np.inf if recording.spec.kind == "max" else 0.0)
        np.testing.assert_equal(result.value, recording.output[placed.out_index])
        if isinstance(result, MeanWritten):
            assert result.total / result.divisor == result.value
        else:
            assert isinstance(result, MaximumFound)
            check_maximum(recording, placed, read, result)


def check_maximum(recording, placed: WindowPlaced, read: ValuesRead, result: MaximumFound) -> None:
    """The winning cell holds the maximum; without NaN it is the first of the largest values."""
    values = np.array(read.values)
    if result.grid_index is None:
        assert not (values > -np.inf).any()
        return
    np.testing.assert_equal(recording.grid[result.grid_index], result.value)
    if not np.isnan(values).any():
        first = placed.cells[int(np.argmax(values))].grid_index
        assert result.grid_index == first
    spatial = np.subtract(result.grid_index[-recording.spec.dims:], recording.spec.padding)
    assert np.ravel_multi_index(tuple(spatial), recording.spec.input_size) == result.index


@FAST
@given(pool_params(), st.integers(0, 2**16))
def test_max_pooling_is_at_least_average_pooling_on_non_negative_inputs(params, seed):
    kind, dims, sizes, options = params
    x = np.random.default_rng(seed).integers(0, 10, (1, *sizes)).astype(float)
    shared = dict(kernel_size=options["kernel_size"], stride=options["stride"], padding=options["padding"],
                  ceil_mode=options["ceil_mode"])
    biggest = MAX_POOL[dims](x, **shared).output
    for count_include_pad in (True, False):
        mean = AVG_POOL[dims](x, **shared, count_include_pad=count_include_pad).output
        assert (biggest >= mean).all()


@FAST
@given(pool_case(kind="avg"), st.integers(2, 7))
def test_divisor_override_replaces_the_divisor(case, divisor):
    _, dims, x, options = case
    assume(dims > 1)
    total = pooling.avg_pool2d if dims == 2 else pooling.avg_pool3d
    options = {**options, "divisor_override": 1}
    sums = total(x, **options).output
    np.testing.assert_allclose(total(x, **{**options, "divisor_override": divisor}).output * divisor, sums)


@FAST
@given(pool_case(kind="max"))
def test_indices_point_at_the_maximum_in_each_plane(case):
    _, dims, x, options = case
    recording = record("max", dims, x, {**options, "return_indices": True})
    output, indices = (batched(array, recording) for array in recording.returned)
    won = batched(recording.winners, recording) >= 0  # else PyTorch's index may point past the window's plane
    planes = batched(x, recording).reshape(*output.shape[:2], -1)
    found = np.take_along_axis(planes, np.where(won, indices, 0).reshape(*planes.shape[:2], -1), axis=2)
    np.testing.assert_array_equal(found.reshape(output.shape)[won], output[won])
    assert isinstance(record("max", dims, x, {**options, "return_indices": False}).returned, np.ndarray)


# ------------------------------------------------------------------------------- spec and formula


@FAST
@given(pool_params())
def test_spec_sizes_follow_pytorch_and_windows_start_inside_the_input_or_left_padding(params):
    kind, dims, sizes, options = params
    spec = PoolSpec.create(kind, sizes, dims=dims, **options)
    stride = spec.stride
    for axis in range(dims):
        o = reference.pool_output_size(sizes[axis], spec.kernel_size[axis], stride[axis], spec.padding[axis],
                                       spec.dilation[axis], spec.ceil_mode)
        assert spec.output_size[axis] == o
        assert (o - 1) * stride[axis] - spec.padding[axis] < sizes[axis]
    assert spec.stride == (options["kernel_size"] if options["stride"] is None else options["stride"])


def evaluate_formula(line: str) -> tuple[int, int]:
    """The left side of a formula line computed as Python, and the number on its right."""
    body = re.sub(r"^\w+: ", "", line).replace("·", "*").replace("−", "-")
    body = re.sub(r" \(the last window[^)]*\)", "", body)
    left, right = body.rsplit("=", 1)
    left = left.split("=", 1)[1]
    left = re.sub(r"⌊(\(.*\))/(\d+)⌋", r"(\1 // \2)", left)
    left = re.sub(r"⌈(\(.*\))/(\d+)⌉", r"(-(-\1 // \2))", left)
    return eval(left), int(right)  # noqa: S307 (arithmetic the test built)


@FAST
@given(pool_params())
def test_the_formula_computes_the_output_size_and_names_ceil_modes_rule(params):
    kind, dims, sizes, options = params
    spec = PoolSpec.create(kind, sizes, dims=dims, **options)
    lines = formula(spec)
    for axis, line in enumerate(lines if len(lines) == dims else lines * dims):
        computed, written = evaluate_formula(line)
        assert computed == written == spec.output_size[axis]
        assert ("⌈" in line) == spec.ceil_mode
        assert ("the last window would start" in line) == spec.dropped_last_window[axis]


def test_ceil_mode_drops_a_last_window_that_would_start_in_the_right_padding():
    spec = PoolSpec.create("max", 5, 2, stride=2, padding=1, ceil_mode=True, dims=1)
    assert spec.dropped_last_window == (True,)
    assert spec.output_size[0] == reference.pool_output_size(5, 2, 2, 1, 1, True)
    assert spec.windows_before_rule[0] == spec.output_size[0] + 1


def test_ceil_mode_overhang_cells_are_beyond_the_padding_and_not_counted():
    x = np.arange(5.0)[None]
    recording = pooling.avg_pool1d(x, 2, 2, ceil_mode=True)
    placed, _, written = list(recording.placements())[-1]
    assert [cell.kind for cell in placed.cells] == ["input", "beyond"]
    assert written.divisor == 1


# ------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: pooling.max_pool1d(np.zeros((1, 5)), 3, padding=2), "padding must be at most half"),
        (lambda: pooling.avg_pool2d(np.zeros((1, 5, 5)), 2, padding=(0, 2)), "padding must be at most half"),
        (lambda: pooling.max_pool2d(np.zeros((1, 5, 5)), 3, stride=0), "stride must be >= 1"),
        (lambda: pooling.max_pool2d(np.zeros((1, 5, 5)), 0), "kernel_size must be >= 1"),
        (lambda: pooling.max_pool1d(np.zeros((1, 5)), 2, dilation=0), "dilation must be >= 1"),
        (lambda: pooling.max_pool1d(np.zeros((1, 5)), 2, padding=-1), "padding must be >= 0"),
        (lambda: pooling.max_pool1d(np.zeros((1, 2)), 3), "kernel_size .* too large"),
        (lambda: pooling.max_pool1d(np.zeros((1, 4)), 2, dilation=4), "kernel_size .* too large"),
        (lambda: pooling.avg_pool2d(np.zeros((1, 4, 4)), 2, divisor_override=0), "divisor_override"),
        (lambda: pooling.max_pool2d(np.zeros((1, 4, 4)), 2, dilation=(1, 1, 1)), "dilation must have 2"),
        (lambda: pooling.max_pool2d(np.zeros(4), 2), "input must have 3"),
        (lambda: pooling.max_pool1d(np.zeros((1, 4)), 2, ceil_mode=1), "ceil_mode must be a bool"),
        (lambda: PoolSpec.create("avg", 5, 3, dilation=2), "dilation is only for max"),
        (lambda: PoolSpec.create("avg", 5, 3, return_indices=True), "return_indices is only for max"),
        (lambda: PoolSpec.create("max", 5, 3, divisor_override=2), "divisor_override is only for average"),
        (lambda: PoolSpec.create("max", 5, 3, count_include_pad=False), "count_include_pad is only for average"),
        (lambda: PoolSpec.create("min", 5, 3), "kind must be one of"),
        (lambda: PoolSpec.create("max", 5, 3, channels=0), "channels"),
        (lambda: pooling.run_pool(PoolSpec.create("max", 5, 3), np.zeros((1, 4, 4))), "input must have shape"),
    ],
)
def test_each_refusal_is_one_line_naming_the_rule(call, parameter):
    with pytest.raises(ValueError, match=parameter) as caught:
        call()
    assert "\n" not in str(caught.value)


# ------------------------------------------------------------------------------- recording


def test_run_pool_draws_a_deterministic_input_and_events_are_lazy():
    spec = PoolSpec.create("avg", (4, 5), 2, padding=1, channels=2)
    first, again = pooling.run_pool(spec, seed=3), pooling.run_pool(spec, seed=3)
    np.testing.assert_array_equal(first.input, again.input)
    assert pooling.run_pool(spec, batched=True).input.shape == (1, 2, 4, 5)
    assert isinstance(first.events, types.GeneratorType) and first.events is not first.events
    for name in ("input", "output", "grid", "mask", "divisors"):
        with pytest.raises(ValueError):
            getattr(first, name)[(0,) * getattr(first, name).ndim] = 5


def test_events_of_real_valued_inputs_add_up_exactly():
    """A mean's narrated sum is the one computed, cell by cell, so total / divisor is the value written."""
    x = np.random.default_rng(5).random((2, 3, 7, 6))
    check_events(pooling.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False))
    check_events(pooling.max_pool2d(x, 3, 2, 1, dilation=2, ceil_mode=True))
