"""How numbers, shapes and a convolution's parameters are written: the one home of figure text.

Kept apart from :class:`~convanim.core.spec.ConvSpec` so that the spec stays a validated
description of a convolution, and captions, formulas and the ``info`` text can change without
touching it. Everything here returns plain strings in the typography of the figures: a true minus
sign (−), × between sizes, Dumoulin & Visin's notation for the output-size formula.
"""

from __future__ import annotations

import math

from typing import Any

import numpy as np

from convanim.core.pool_spec import PoolSpec
from convanim.core.spec import ConvSpec
from convanim.words import say

#: The largest array printed in full (``info``, ``kernels``): wider rows wrap in a terminal, more
#: values are read as a summary.
MAX_SHOWN_COLUMNS = 16
MAX_SHOWN_VALUES = 256


def number(value: float) -> str:
    """A cell value as people write it: integers without '.0', others with two decimals, and the
    infinities (max pooling's padding reads −∞) as mathematicians write them."""
    value = float(value)
    if math.isinf(value):
        return "−∞" if value < 0 else "∞"
    if value == int(value):
        return str(int(value)).replace("-", "−")
    return f"{value:.2f}".replace("-", "−")


def factor(value: float) -> str:
    """A number as the right-hand factor of a product: negatives in brackets, ``8×(−1)``."""
    return f"({number(value)})" if value < 0 else number(value)


def signed(value: float, text: str | None = None) -> str:
    """A term added to a sum with its sign written as the operator: ``+ 1``, ``− 1``; ``text``
    stands for the term's body (``− 2·1``)."""
    return f"{'−' if value < 0 else '+'} {number(abs(value)) if text is None else text}"


def shape_text(*sizes: int | tuple[int, ...]) -> str:
    """A shape written out even when square, so a reader sees the rank: '5×5×3' from (5, 5) and 3."""
    return "×".join(str(v) for size in sizes for v in (size if isinstance(size, tuple) else (size,)))


def compact(values: tuple[int, ...]) -> str:
    """One number when every dim agrees (``3``), else the sizes joined like a shape (``3×5``)."""
    return str(values[0]) if len(set(values)) == 1 else shape_text(values)


def formula(spec: ConvSpec | PoolSpec) -> tuple[str, ...]:
    """The output-size formula per dim with the numbers put in (Dumoulin & Visin's notation).

    When every dim gives the same line, one line stands for all; otherwise each line starts
    with its axis name (``rows: o = ...``). A pooling's line follows PyTorch's rule, ceil mode's too.
    """
    if isinstance(spec, PoolSpec):
        lines = tuple(_pool_formula_line(spec, axis) for axis in range(spec.dims))
    else:
        lines = tuple(_formula_line(spec, axis) for axis in range(spec.dims))
    if len(set(lines)) == 1:
        return lines[:1]
    return tuple(f"{spec.axis_name(axis)}: {line}" for axis, line in enumerate(lines))


def _formula_line(spec: ConvSpec, axis: int) -> str:
    i, k, s, d = (spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis])
    before, after = spec.padding_pairs[axis]
    o = spec.output_size[axis]
    if spec.transposed:
        a = spec.output_padding[axis]
        return f"o = {s}·({i} − 1) + {a} + {d}·({k} − 1) + 1 − 2·{before} = {o}"
    z = spec.insert_zeros[axis]
    grown = f"{i} + {z}·({i} − 1)" if z else str(i)
    return f"o = ⌊({grown} {_window_terms(before, after, k, d)})/{s}⌋ + 1 = {o}"


def _pool_formula_line(spec: PoolSpec, axis: int) -> str:
    """PyTorch's pooling size: the floor, or in ceil mode the ceiling less the window that would start
    in the right padding (said in words, since that rule is the one people do not expect)."""
    i, k, s, d, p = (spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis],
                     spec.padding[axis])
    left, right = ("⌈", "⌉") if spec.ceil_mode else ("⌊", "⌋")
    line = f"o = {left}({i} {_window_terms(p, p, k, d)})/{s}{right} + 1"
    if spec.dropped_last_window[axis]:
        start = (spec.windows_before_rule[axis] - 1) * s - p
        line += f" − 1 (the last window would start at {start}, in the right padding)"
    return f"{line} = {spec.output_size[axis]}"


def _window_terms(before: int, after: int, k: int, d: int) -> str:
    """The padding added and the dilated kernel taken away: ``+ 2·1 − 3`` or ``+ 0 + 1 − 2·(3 − 1) − 1``."""
    pad = signed(before, f"2·{abs(before)}") if before == after else f"{signed(before)} {signed(after)}"
    kernel = f"− {k}" if d == 1 else f"− {d}·({k} − 1) − 1"
    return f"{pad} {kernel}"


def describe(spec: ConvSpec) -> str:
    """A one-line caption of the parameters, defaults left out: ``i=5, k=3, s=1, p=1 → o=5``."""
    parts = [f"i={compact(spec.input_size)}", f"k={compact(spec.kernel_size)}", f"s={compact(spec.stride)}"]
    parts.append(f"p={padding_text(spec)}")
    if max(spec.dilation) > 1:
        parts.append(f"d={compact(spec.dilation)}")
    if max(spec.insert_zeros) > 0:
        parts.append(f"z={compact(spec.insert_zeros)}")
    if spec.transposed and max(spec.output_padding) > 0:
        parts.append(f"a={compact(spec.output_padding)}")
    if (spec.in_channels, spec.out_channels) != (1, 1):
        parts.append(f"c={spec.in_channels}→{spec.out_channels}")
    if spec.groups > 1:
        parts.append(f"g={spec.groups}")
    if spec.padding_mode != "zeros":
        parts.append(spec.padding_mode)
    if spec.bias:
        parts.append(say("caption.bias"))
    prefix = say("caption.transposed") if spec.transposed else ""
    return f"{prefix}{', '.join(parts)} → o={compact(spec.output_size)}"


def describe_pool(spec: PoolSpec) -> str:
    """A pooling's one-line caption, defaults left out: ``max pooling: i=5, k=3, s=1, p=0 → o=3``."""
    parts = [f"i={compact(spec.input_size)}", f"k={compact(spec.kernel_size)}", f"s={compact(spec.stride)}",
             f"p={compact(spec.padding)}"]
    if max(spec.dilation) > 1:
        parts.append(f"d={compact(spec.dilation)}")
    kind = say("pool.max" if spec.kind == "max" else "pool.average")
    return f"{kind}: {', '.join([*parts, *_pool_options(spec)])} → o={compact(spec.output_size)}"


def _pool_options(spec: PoolSpec) -> list[str]:
    """The flags that change a pooling's numbers, in words, defaults left out."""
    options = [say("pool.ceil_mode")] if spec.ceil_mode else []
    if spec.kind == "avg" and not spec.count_include_pad:
        options.append(say("pool.padding_not_counted"))
    if spec.divisor_override is not None:
        options.append(say("pool.divisor", divisor=spec.divisor_override))
    return options


def padding_text(spec: ConvSpec) -> str:
    """The padding as given: 'same', '1', '1×2', or '(0,1)×(1,1)' when the sides differ."""
    if isinstance(spec.padding, str):
        return spec.padding
    pairs = spec.padding_pairs
    if all(before == after for before, after in pairs):
        return compact(tuple(before for before, _ in pairs))
    return "×".join(f"({before},{after})" for before, after in pairs)


def explain(spec: ConvSpec | PoolSpec) -> str:
    """Several lines for a person: sizes, the formula, the cost (what ``convanim info`` prints)."""
    if isinstance(spec, PoolSpec):
        return _explain_pool(spec)
    kind = "transposed convolution" if spec.transposed else "convolution"
    grouped = f", {spec.groups} groups" if spec.groups > 1 else ""
    lines = [
        f"{spec.dims}D {kind}: {spec.in_channels} → {spec.out_channels} channels{grouped}"
        f"{', with bias' if spec.bias else ''}",
        f"input {shape_text(spec.input_size)}, kernel {shape_text(spec.kernel_size)}"
        f" (dilated span {shape_text(spec.effective_kernel)}), stride {compact(spec.stride)},"
        f" padding {padding_text(spec)} ({spec.padding_mode})",
    ]
    if spec.transposed:
        direct = spec.direct_equivalent()
        lines.append(
            f"drawn as a direct convolution: {compact(direct.insert_zeros)} zero(s) inserted between inputs,"
            f" padding {padding_text(direct)}, stride 1, kernel flipped"
        )
    lines.append(f"grid {shape_text(spec.padded_size)} → output {shape_text(spec.output_size)}")
    lines.extend(formula(spec))
    lines.append(f"multiply-accumulates per sample: {spec.macs:,}; parameters: {spec.params:,}")
    return "\n".join(lines)


def _explain_pool(spec: PoolSpec) -> str:
    """A pooling's ``explain``: what fills the padding, the options that change the numbers, the sizes."""
    name = "max pooling" if spec.kind == "max" else "average pooling"
    fill = "−∞" if spec.kind == "max" else "zeros"
    lines = [
        f"{spec.dims}D {name}: {spec.channels} channel(s), each pooled alone",
        f"input {shape_text(spec.input_size)}, kernel {shape_text(spec.kernel_size)}"
        f" (dilated span {shape_text(spec.effective_kernel)}), stride {compact(spec.stride)},"
        f" padding {compact(spec.padding)} ({fill})",
    ]
    if _pool_options(spec):
        lines.append(", ".join(_pool_options(spec)))
    lines.append(f"grid {shape_text(spec.grid_size)} → output {shape_text(spec.output_size)}")
    lines.extend(formula(spec))
    return "\n".join(lines)


def formula_text(spec: ConvSpec | PoolSpec) -> str:
    """The formula as a figure's formula slot shows it: one line per axis."""
    return "\n".join(formula(spec))


def matrix_text(values: np.ndarray, indent: str = "  ") -> str:
    """A 2D array as rows of right-aligned numbers, written as the figures write them."""
    texts = [[number(value) for value in row] for row in np.atleast_2d(values)]
    width = max(len(text) for row in texts for text in row)
    return "\n".join(indent + "  ".join(text.rjust(width) for text in row) for row in texts)


def values_text(name: str, values: np.ndarray, axes: tuple[str, ...] = ("channel",)) -> str:
    """``values`` for a person: small enough, in full, one block per leading index (named by
    ``axes``, e.g. channel then depth); larger, summarised by its shape, minimum, maximum and mean."""
    heading = f"{name} {shape_text(values.shape)}"
    if values.size > MAX_SHOWN_VALUES or values.shape[-1] > MAX_SHOWN_COLUMNS:
        low, high, mean = (number(float(f(values))) for f in (np.min, np.max, np.mean))
        return f"{heading}: min {low}, max {high}, mean {mean}"
    if values.ndim <= 2:
        return f"{heading}:\n{matrix_text(values)}"
    blocks = [_block(values[index], index, axes) for index in np.ndindex(values.shape[:-2])]
    return f"{heading}:\n" + "\n".join(blocks)


def _block(plane: np.ndarray, index: tuple[int, ...], axes: tuple[str, ...]) -> str:
    """One 2D slice of a larger array, headed by where it sits (``channel 0, depth 1``)."""
    return f"{', '.join(f'{axis} {at}' for axis, at in zip(axes, index))}:\n{matrix_text(plane)}"


def facts(spec: ConvSpec | PoolSpec) -> dict[str, Any]:
    """Everything ``explain`` says, as plain data (what ``info --json`` prints): every size, the
    caption and formula text, multiply-accumulates and parameters (a pooling has neither)."""
    if isinstance(spec, PoolSpec):
        return _pool_facts(spec)
    return {
        "dims": spec.dims,
        "transposed": spec.transposed,
        "input_size": list(spec.input_size),
        "kernel_size": list(spec.kernel_size),
        "stride": list(spec.stride),
        "padding": spec.padding if isinstance(spec.padding, str) else _plain(spec.padding),
        "padding_pairs": _plain(spec.padding_pairs),
        "dilation": list(spec.dilation),
        "output_padding": list(spec.output_padding),
        "padding_mode": spec.padding_mode,
        "groups": spec.groups,
        "in_channels": spec.in_channels,
        "out_channels": spec.out_channels,
        "bias": spec.bias,
        "effective_kernel": list(spec.effective_kernel),
        "padded_size": list(spec.padded_size),
        "output_size": list(spec.output_size),
        "caption": describe(spec),
        "formula": list(formula(spec)),
        "macs": spec.macs,
        "params": spec.params,
    }


def _pool_facts(spec: PoolSpec) -> dict[str, Any]:
    """A pooling's ``facts``: its PyTorch arguments and every size it derives."""
    return {
        "pool": spec.kind,
        "dims": spec.dims,
        "channels": spec.channels,
        "input_size": list(spec.input_size),
        "kernel_size": list(spec.kernel_size),
        "stride": list(spec.stride),
        "padding": list(spec.padding),
        "dilation": list(spec.dilation),
        "ceil_mode": spec.ceil_mode,
        "count_include_pad": spec.count_include_pad,
        "divisor_override": spec.divisor_override,
        "effective_kernel": list(spec.effective_kernel),
        "padded_size": list(spec.padded_size),
        "grid_size": list(spec.grid_size),
        "output_size": list(spec.output_size),
        "caption": describe_pool(spec),
        "formula": list(formula(spec)),
    }


def _plain(value: tuple[Any, ...]) -> list[Any]:
    """Nested tuples as nested lists, as JSON writes them."""
    return [_plain(entry) if isinstance(entry, tuple) else entry for entry in value]
