"""ConvSpec: sizes agree with counting window positions, every bad spec gets its error, and it explains itself."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim.core.spec import ConvSpec
from convanim.core.notation import describe, explain, formula

import reference  # noqa: E402  (the independent reference lives next to the tests)

FAST = settings(max_examples=40, deadline=None)
MODES = ("zeros", "reflect", "replicate", "circular")


def sizes_per_dim(draw, dims: int):
    """A drawer of one int per spatial dim in [low, high]."""
    return lambda low, high: draw(st.tuples(*[st.integers(low, high)] * dims))


@st.composite
def direct_params(draw):
    """Parameters of a direct convolution, valid or not: every rule of the issue gets broken now and then."""
    dims = draw(st.integers(1, 3))
    per_dim = sizes_per_dim(draw, dims)
    return dict(
        input_size=per_dim(1, 7), kernel_size=per_dim(1, 4), stride=per_dim(1, 3), dilation=per_dim(1, 3),
        padding=draw(st.one_of(st.sampled_from(["same", "valid"]), st.integers(0, 3))),
        padding_mode=draw(st.sampled_from(MODES)),
    )


def direct_rule_broken(p) -> str | None:
    """The rule of the issue a direct spec breaks (checked by hand, without ConvSpec), or None."""
    pairs = reference.padding_pairs(p["padding"], p["kernel_size"], p["dilation"])
    if p["padding"] == "same" and max(p["stride"]) > 1:
        return "padding"
    for size, (before, after) in zip(p["input_size"], pairs):
        if p["padding_mode"] == "reflect" and max(before, after) >= size:
            return "padding"
        if p["padding_mode"] == "circular" and max(before, after) > size:
            return "padding"
    for size, k, d, (before, after) in zip(p["input_size"], p["kernel_size"], p["dilation"], pairs):
        if d * (k - 1) + 1 > size + before + after:
            return "kernel_size"
    return None


@FAST
@given(direct_params())
def test_direct_sizes_match_counted_window_positions_or_the_spec_is_refused(p):
    broken = direct_rule_broken(p)
    if broken:
        with pytest.raises(ValueError, match=broken):
            ConvSpec.create(**p)
        return
    spec = ConvSpec.create(**p)
    pairs = reference.padding_pairs(p["padding"], p["kernel_size"], p["dilation"])
    assert spec.padding_pairs == tuple(pairs)
    assert spec.padded_size == tuple(i + b + a for i, (b, a) in zip(p["input_size"], pairs))
    assert spec.output_size == tuple(
        reference.direct_output_size(i, k, s, pair, d)
        for i, k, s, pair, d in zip(p["input_size"], p["kernel_size"], p["stride"], pairs, p["dilation"])
    )
    if p["padding"] == "same":
        assert spec.output_size == spec.input_size


@st.composite
def transposed_params(draw):
    """Parameters of a transposed convolution, valid or not."""
    dims = draw(st.integers(1, 3))
    per_dim = sizes_per_dim(draw, dims)
    return dict(
        input_size=per_dim(1, 6), kernel_size=per_dim(1, 4), stride=per_dim(1, 3), dilation=per_dim(1, 3),
        padding=per_dim(0, 4), output_padding=per_dim(0, 2), transposed=True,
    )


@FAST
@given(transposed_params())
def test_transposed_spec_is_the_shape_inverse_of_the_direct_one(p):
    """A direct convolution over the transposed one's output, same k/s/p/d, gives back its input size.

    (Exactly so while output_padding < stride: the direct convolution's floor drops those cells.)
    """
    too_wide = [a >= s and a >= d for a, s, d in zip(p["output_padding"], p["stride"], p["dilation"])]
    outputs = [
        (i - 1) * s - 2 * q + d * (k - 1) + a + 1
        for i, s, q, d, k, a in zip(
            p["input_size"], p["stride"], p["padding"], p["dilation"], p["kernel_size"], p["output_padding"]
        )
    ]
    if any(too_wide) or min(outputs) < 1:
        with pytest.raises(ValueError, match="output_padding" if any(too_wide) else "output size"):
            ConvSpec.create(**p)
        return
    spec = ConvSpec.create(**p)
    direct = ConvSpec.create(
        spec.output_size, p["kernel_size"], stride=p["stride"], padding=p["padding"], dilation=p["dilation"]
    )
    if all(a < s for a, s in zip(p["output_padding"], p["stride"])):
        assert direct.output_size == spec.input_size
    equivalent = spec.direct_equivalent()
    assert equivalent.output_size == spec.output_size
    assert equivalent.stride == (1,) * spec.dims and not equivalent.transposed
    assert equivalent.insert_zeros == tuple(s - 1 for s in p["stride"])
    assert equivalent.padding_pairs == tuple(
        (d * (k - 1) - q, d * (k - 1) - q + a)
        for d, k, q, a in zip(p["dilation"], p["kernel_size"], p["padding"], p["output_padding"])
    )
    assert equivalent.derived_from is spec
    assert spec.padded_size == equivalent.padded_size


BAD_SPECS = [
    (dict(input_size=3, kernel_size=5), "kernel_size"),
    (dict(input_size=5, kernel_size=3, dilation=3), "kernel_size"),
    (dict(input_size=2, kernel_size=3, transposed=True, padding=3), "output size"),
    (dict(input_size=5, kernel_size=3, in_channels=3, groups=2), "in_channels"),
    (dict(input_size=5, kernel_size=3, in_channels=2, out_channels=3, groups=2), "out_channels"),
    (dict(input_size=5, kernel_size=3, transposed=True, stride=2, output_padding=2), "output_padding"),
    (dict(input_size=5, kernel_size=3, transposed=True, output_padding=1), "output_padding"),
    (dict(input_size=5, kernel_size=3, output_padding=1), "output_padding"),
    (dict(input_size=5, kernel_size=3, stride=0), "stride"),
    (dict(input_size=5, kernel_size=3, dilation=0), "dilation"),
    (dict(input_size=5, kernel_size=3, padding=-1), "padding"),
    (dict(input_size=5, kernel_size=3, padding=(1, -1)), "padding"),
    (dict(input_size=5, kernel_size=3, padding="same", stride=2), "padding='same'"),
    (dict(input_size=5, kernel_size=3, padding="full"), "padding"),
    (dict(input_size=5, kernel_size=3, padding="same", transposed=True), "padding"),
    (dict(input_size=5, kernel_size=3, padding=((0, 1), (1, 1)), transposed=True), "padding"),
    (dict(input_size=3, kernel_size=3, padding=3, padding_mode="reflect"), "padding_mode='reflect'"),
    (dict(input_size=3, kernel_size=3, padding=4, padding_mode="circular"), "padding_mode='circular'"),
    (dict(input_size=5, kernel_size=3, padding_mode="mirror"), "padding_mode"),
    (dict(input_size=5, kernel_size=3, padding_mode="reflect", transposed=True), "padding_mode"),
    (dict(input_size=0, kernel_size=1), "input_size"),
    (dict(input_size=5, kernel_size=0), "kernel_size"),
    (dict(input_size=5, kernel_size=3, groups=0), "groups"),
    (dict(input_size=5, kernel_size=3, in_channels=0), "in_channels"),
    (dict(input_size=(5, 5), kernel_size=(3, 3, 3)), "input_size must have 3 entries"),
    (dict(input_size=5, kernel_size=3, dims=4), "dims"),
    (dict(input_size=5, kernel_size=3, stride=True), "stride"),
]


@pytest.mark.parametrize(("params", "parameter"), BAD_SPECS)
def test_every_bad_spec_gets_an_error_naming_its_parameter(params, parameter):
    with pytest.raises(ValueError, match=parameter) as caught:
        ConvSpec.create(**params)
    assert "\n" not in str(caught.value)


def test_edges_pytorch_allows_are_accepted():
    ConvSpec.create(3, 3, padding=2, padding_mode="reflect")  # reflect: padding < input
    ConvSpec.create(3, 3, padding=3, padding_mode="circular")  # circular: padding <= input
    ConvSpec.create(1, 3, padding=5, padding_mode="replicate")  # replicate: any width
    ConvSpec.create(3, 3, stride=1, dilation=2, output_padding=1, transposed=True)  # a < d suffices
    ConvSpec.create(5, 1, padding=1, transposed=True)  # p > d(k-1): the zero-inserted input is cropped


def test_ints_broadcast_and_dims_come_from_the_longest_tuple():
    assert ConvSpec.create(5, 3).dims == 2
    spec = ConvSpec.create(5, (3, 1, 2))
    assert spec.input_size == (5, 5, 5) and spec.kernel_size == (3, 1, 2)
    assert ConvSpec.create(5, 3, dims=1).input_size == (5,)


def test_spec_is_frozen_and_revalidated_on_replace():
    spec = ConvSpec.create(5, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.stride = (2, 2)  # type: ignore[misc]
    with pytest.raises(ValueError, match="kernel_size"):
        dataclasses.replace(spec, kernel_size=(9, 9))


@pytest.mark.parametrize("kernel", [2, 3, 4, 5])
def test_same_padding_puts_the_odd_cell_on_the_far_side(kernel):
    (before, after), = ConvSpec.create(7, kernel, padding="same", dims=1).padding_pairs
    assert before + after == kernel - 1 and after - before in (0, 1)


@FAST
@given(st.integers(1, 9), st.integers(1, 4), st.integers(1, 3), st.integers(0, 3), st.integers(1, 3))
def test_formula_puts_the_numbers_into_dumoulin_and_visin(i, k, s, p, d):
    span = d * (k - 1) + 1
    if span > i + 2 * p:
        return
    (line,) = formula(ConvSpec.create(i, k, stride=s, padding=p, dilation=d))
    o = (i + 2 * p - span) // s + 1
    kernel = f"{k}" if d == 1 else f"{d}·({k} − 1) − 1"
    assert line == f"o = ⌊({i} + 2·{p} − {kernel})/{s}⌋ + 1 = {o}"


@FAST
@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2))
def test_transposed_formula(i, k, s, p, d):
    o = s * (i - 1) + d * (k - 1) + 1 - 2 * p
    if o < 1:
        return
    (line,) = formula(ConvSpec.create(i, k, stride=s, padding=p, dilation=d, transposed=True))
    assert line == f"o = {s}·({i} − 1) + 0 + {d}·({k} − 1) + 1 − 2·{p} = {o}"


def test_formula_has_a_line_per_dim_when_dims_differ():
    lines = formula(ConvSpec.create((5, 7), 3, padding=1))
    assert len(lines) == 2 and lines[0].startswith("rows:") and lines[1].startswith("cols:")
    assert lines[1].endswith("= 7")


def test_describe_names_the_parameters_and_leaves_defaults_out():
    spec = ConvSpec.create(5, 3, padding=1)
    assert describe(spec) == f"i=5, k=3, s=1, p=1 → o={spec.output_size[0]}"
    rich = ConvSpec.create(7, 3, dilation=2, in_channels=4, out_channels=6, groups=2, bias=True)
    text = describe(rich)
    for part in ("d=2", "c=4→6", "g=2", "bias"):
        assert part in text
    assert describe(ConvSpec.create(3, 3, stride=2, transposed=True)).startswith("transposed ")


def test_explain_has_sizes_formula_and_cost():
    spec = ConvSpec.create(6, 3, stride=2, in_channels=3, out_channels=4, transposed=True, bias=True)
    text = explain(spec)
    assert formula(spec)[0] in text
    assert f"{spec.macs:,}" in text and f"{spec.params:,}" in text
    assert "×".join(map(str, spec.output_size)) in text


@FAST
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(1, 3), st.booleans(), st.booleans())
def test_params_count_weights_and_bias(groups, in_per_group, out_per_group, k, bias, transposed):
    spec = ConvSpec.create(
        6, k, in_channels=groups * in_per_group, out_channels=groups * out_per_group, groups=groups,
        bias=bias, transposed=transposed, dims=2,
    )
    weights = groups * in_per_group * out_per_group * k * k
    assert spec.params == weights + (groups * out_per_group if bias else 0)


def test_transposed_macs_count_each_input_through_each_weight():
    spec = ConvSpec.create(4, 3, stride=2, in_channels=2, out_channels=6, groups=2, transposed=True)
    assert spec.macs == math.prod(spec.input_size) * 2 * (6 // 2) * 9


def test_a_spec_equals_another_whatever_it_was_derived_from():
    transposed = ConvSpec.create(3, 3, stride=2, padding=1, transposed=True)
    derived = transposed.direct_equivalent()
    assert derived.derived_from is transposed
    twin = ConvSpec(**{f: getattr(derived, f) for f in derived.__dataclass_fields__ if f != "derived_from"})
    assert twin.derived_from is None
    assert twin == derived and hash(twin) == hash(derived) and len({twin, derived}) == 1
