"""The scatter view of a transposed convolution: equal to conv_transpose and the scatter reference,
stamp by stamp, with running sums that add up, and the overlap counts behind the checkerboard."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from convanim.core import engine
from convanim.core.events import BiasAdded, StampPlaced
from convanim.core.scatter import ScatterRecording, scatter
from convanim.core.spec import ConvSpec
from test_engine import batched, record_transposed, transposed_case

import reference  # noqa: E402  (the independent reference lives next to the tests)

FAST = settings(max_examples=30, deadline=None)


@FAST
@given(transposed_case())
def test_scatter_equals_conv_transpose_and_the_reference(case):
    recording = record_transposed(case)
    stamped = scatter(recording)
    dims = case["dims"]
    expected = reference.conv_transpose(batched(case["x"], dims), case["w"], case["b"], case["stride"],
                                        case["padding"], case["output_padding"], case["groups"], case["dilation"])
    np.testing.assert_array_equal(batched(stamped.output, dims), expected)
    np.testing.assert_array_equal(stamped.output, recording.output)
    check_stamps(stamped)


def check_stamps(stamped: ScatterRecording) -> None:
    """Replaying the events by hand gives the running sums they report and, cropped plus bias, the output."""
    spec, x, weight, bias = stamped.spec, stamped.transposed.input, stamped.transposed.weight, stamped.transposed.bias
    canvas = np.zeros(stamped.canvas.shape)
    crop = np.array(stamped.crop)
    events = list(stamped.events)
    stamps = [e for e in events if isinstance(e, StampPlaced)]
    assert len(stamps) == x.size * spec.out_channels // spec.groups
    for event in events:
        if isinstance(event, StampPlaced):
            position = np.array(event.input_index[-spec.dims:])
            assert event.value == x[event.input_index]
            for cell in event.cells:
                tap = np.array(cell.weight_index[2:])
                assert cell.weight_index[0] == event.input_index[-spec.dims - 1]
                assert cell.product == event.value * weight[cell.weight_index]
                spatial = position * spec.stride + tap * spec.dilation
                assert cell.canvas_index[-spec.dims:] == tuple(spatial)
                inside = ((spatial >= crop) & (spatial < crop + spec.output_size)).all()
                assert cell.output_index == ((*cell.canvas_index[:-spec.dims], *(spatial - crop)) if inside else None)
                canvas[cell.canvas_index] += cell.product
                assert cell.total == canvas[cell.canvas_index]
        else:
            assert isinstance(event, BiasAdded) and bias is not None
            assert event.bias == bias[event.channel_index[-1]]
    np.testing.assert_array_equal(canvas, stamped.canvas)
    assert (bias is not None) == any(isinstance(e, BiasAdded) for e in events)
    spans = [max((i - 1) * s + d * (k - 1) + 1, p + o) for i, s, d, k, p, o in
             zip(spec.input_size, spec.stride, spec.dilation, spec.kernel_size, crop, spec.output_size)]
    assert stamped.canvas.shape[-spec.dims:] == tuple(spans)  # the smallest canvas that holds stamps and output


@FAST
@given(transposed_case())
def test_overlaps_count_the_stamps_on_each_output_cell(case):
    """The counts are a transposed convolution of ones by ones, computed by the reference."""
    stamped = scatter(record_transposed(case))
    spec = stamped.spec
    ones = reference.conv_transpose(np.ones((1, 1, *spec.input_size)), np.ones((1, 1, *spec.kernel_size)),
                                    None, spec.stride, [p for p, _ in spec.padding_pairs], spec.output_padding, 1,
                                    spec.dilation)
    np.testing.assert_array_equal(stamped.overlaps, ones[0, 0])


@pytest.mark.parametrize(("kernel", "stride"), [(4, 2), (3, 2), (6, 3), (5, 3), (2, 1)])
def test_overlaps_are_even_only_when_the_kernel_is_a_multiple_of_the_stride(kernel, stride):
    """The checkerboard: cropped by k − s, every output cell of a 2D transposed convolution gets (k/s)² stamps
    when s divides k, and uneven counts otherwise."""
    ones = np.ones((1, 4, 4))
    recording = engine.conv_transpose2d(ones, np.ones((1, 1, kernel, kernel)), stride=stride,
                                        padding=kernel - stride)
    counts = np.unique(scatter(recording).overlaps)
    if kernel % stride:
        assert len(counts) > 1
    else:
        assert counts.tolist() == [(kernel // stride) ** 2]


def test_scatter_refuses_a_direct_convolution():
    with pytest.raises(ValueError, match="transposed"):
        scatter(engine.conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3))))


def test_events_are_lazy_and_arrays_read_only():
    stamped = scatter(engine.run(ConvSpec.create(3, 3, stride=2, transposed=True)))
    assert next(stamped.events) == next(stamped.events)
    for name in ("output", "canvas"):
        with pytest.raises(ValueError):
            getattr(stamped, name)[(0,) * getattr(stamped, name).ndim] = 5
