"""Composite convolutions: each chain of recordings reproduces the one convolution it stands for."""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim.core.composite import depthwise_separable, flattened, spatial_separable

import reference  # noqa: E402  (the independent reference lives next to the tests)

FAST = settings(max_examples=30, deadline=None)


def ints(seed: int, shape) -> np.ndarray:
    return np.random.default_rng(seed).integers(-3, 4, shape).astype(np.float64)


@FAST
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 3), st.integers(0, 3), st.integers(0, 2**16))
def test_spatial_separable_passes_equal_the_full_kernel(k_rows, k_cols, extra_rows, extra_cols, seed):
    image = ints(seed, (k_rows + extra_rows, k_cols + extra_cols))
    column, row = ints(seed + 1, k_rows), ints(seed + 2, k_cols)
    result = spatial_separable(image, column, row)
    expected = reference.conv(image[None, None], np.outer(column, row)[None, None])[0]
    np.testing.assert_array_equal(result.row_pass.output, expected)
    np.testing.assert_array_equal(result.full.output, expected)
    assert result.column_pass.output.shape == (1, extra_rows + 1, k_cols + extra_cols)
    assert result.full_macs_per_output == k_rows * k_cols
    assert result.separable_macs_per_output == k_rows + k_cols
    outputs = (extra_rows + 1) * (extra_cols + 1)
    assert result.full_macs == outputs * k_rows * k_cols
    assert result.separable_macs == (extra_rows + 1) * (k_cols + extra_cols) * k_rows + outputs * k_cols


@FAST
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.integers(0, 3), st.integers(0, 2**16))
def test_depthwise_then_pointwise_matches_the_reference_and_counts(channels, kernels, k, extra, seed):
    size = k + extra
    image = ints(seed, (channels, size, size))
    depthwise_weight, pointwise_weight = ints(seed + 1, (channels, 1, k, k)), ints(seed + 2, (kernels, channels, 1, 1))
    result = depthwise_separable(image, depthwise_weight, pointwise_weight)
    per_channel = reference.conv(image[None], depthwise_weight, groups=channels)
    np.testing.assert_array_equal(result.depthwise.output, per_channel[0])
    np.testing.assert_array_equal(result.pointwise.output, reference.conv(per_channel, pointwise_weight)[0])
    outputs = (extra + 1) ** 2
    assert result.standard_macs == outputs * kernels * channels * k * k
    assert result.separable_macs == outputs * channels * k * k + outputs * kernels * channels


@FAST
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(0, 2**16))
def test_flattened_passes_equal_the_standard_filter(channels, k_rows, k_cols, extra, seed):
    image = ints(seed, (channels, k_rows + extra, k_cols + extra))
    across, vertical, horizontal = ints(seed + 1, channels), ints(seed + 2, k_rows), ints(seed + 3, k_cols)
    result = flattened(image, across, vertical, horizontal)
    standard = across[:, None, None] * vertical[None, :, None] * horizontal[None, None, :]
    expected = reference.conv(image[None], standard[None])[0]
    np.testing.assert_array_equal(result.horizontal_pass.output, expected)
    np.testing.assert_array_equal(result.full.output, expected)
    assert result.channel_pass.output.shape == (1, k_rows + extra, k_cols + extra)
    outputs = (extra + 1) ** 2
    assert result.standard_macs == outputs * channels * k_rows * k_cols
    passes = (k_rows + extra) * (k_cols + extra) * channels + (extra + 1) * (k_cols + extra) * k_rows + outputs * k_cols
    assert result.flattened_macs == passes


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: spatial_separable(np.ones((5, 5)), np.ones((3, 1)), np.ones(3)), "column_kernel"),
        (lambda: spatial_separable(np.ones((1, 5, 5)), np.ones(3), np.ones(3)), "input2d"),
        (lambda: flattened(np.ones((5, 5)), np.ones(1), np.ones(3), np.ones(3)), "input"),
        (
            lambda: depthwise_separable(np.ones((2, 5, 5)), np.ones((3, 1, 3, 3)), np.ones((1, 2, 1, 1))),
            "depthwise_weight",
        ),
    ],
)
def test_bad_shapes_get_an_error_naming_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()
