"""Pixel shuffle and unshuffle against PyTorch's documented index rule, as inverses, and their moves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim.core.pixel_shuffle import pixel_shuffle, pixel_unshuffle

import reference  # noqa: E402  (the independent reference lives next to the tests)

FAST = settings(max_examples=30, deadline=None)


@st.composite
def deep_input(draw):
    """An input (*, C·r², H, W) with 0 to 2 leading dims, and its factor r."""
    r = draw(st.integers(1, 3))
    lead = draw(st.lists(st.integers(1, 2), max_size=2))
    shape = (*lead, draw(st.integers(1, 2)) * r * r, draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return np.random.default_rng(draw(st.integers(0, 2**16))).integers(-9, 10, shape).astype(float), r


@FAST
@given(deep_input())
def test_pixel_shuffle_follows_pytorchs_rule_and_unshuffle_undoes_it(case):
    x, r = case
    shuffled = pixel_shuffle(x, r)
    np.testing.assert_array_equal(shuffled.output, reference.pixel_shuffle(x, r))
    back = pixel_unshuffle(shuffled.output, r)
    np.testing.assert_array_equal(back.output, x)
    np.testing.assert_array_equal(pixel_shuffle(back.output, r).output, shuffled.output)
    for recording in (shuffled, back):
        check_moves(recording)


def check_moves(recording) -> None:
    """Every output cell is one move, in C order, of a distinct input cell's value."""
    moves = list(recording.events)
    assert [m.output_index for m in moves] == list(np.ndindex(recording.output.shape))
    assert len({m.input_index for m in moves}) == recording.input.size
    for move in moves:
        assert recording.input[move.input_index] == move.value == recording.output[move.output_index]
        assert recording.source_of(move.output_index) == move.input_index


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: pixel_shuffle(np.zeros((4, 2)), 2), "at least 3 dimensions"),
        (lambda: pixel_shuffle(np.zeros((5, 2, 2)), 2), "divisible by the square"),
        (lambda: pixel_shuffle(np.zeros((4, 2, 2)), 0), "upscale_factor"),
        (lambda: pixel_unshuffle(np.zeros((1, 3, 4)), 2), "height"),
        (lambda: pixel_unshuffle(np.zeros((1, 4, 3)), 2), "width"),
        (lambda: pixel_unshuffle(np.zeros((1, 4, 4)), True), "downscale_factor"),
    ],
)
def test_refusals_are_one_line_as_pytorchs(call, words):
    with pytest.raises(ValueError, match=words) as caught:
        call()
    assert "\n" not in str(caught.value)
