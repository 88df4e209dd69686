"""The conv_arithmetic suite, generated from one table of parameters (Dumoulin & Visin's figures).

Each row is a figure name and the spec it shows; the transposed figures use the parameters of the
direct convolution they undo, as conv_arithmetic does, with the input size that direct
convolution produced. Every output size is derived by the spec, none is typed.
"""

from __future__ import annotations

from functools import partial

from convanim.registry import register
from convanim.core.spec import ConvSpec
from convanim.figures import arithmetic
from convanim.core.notation import describe

#: name -> (title, direct spec arguments); "-transposed" rows are generated from the direct ones.
DIRECT = {
    "no-padding-no-strides": ("No padding, no strides", dict(input_size=4, kernel_size=3)),
    "arbitrary-padding-no-strides": ("Arbitrary padding, no strides", dict(input_size=5, kernel_size=4, padding=2)),
    "same-padding-no-strides": ("Half (same) padding, no strides", dict(input_size=5, kernel_size=3, padding=1)),
    "full-padding-no-strides": ("Full padding, no strides", dict(input_size=5, kernel_size=3, padding=2)),
    "no-padding-strides": ("No padding, strides", dict(input_size=5, kernel_size=3, stride=2)),
    "padding-strides": ("Padding, strides", dict(input_size=5, kernel_size=3, stride=2, padding=1)),
    "padding-strides-odd": ("Padding, strides (odd)", dict(input_size=6, kernel_size=3, stride=2, padding=1)),
}


def transposed_of(direct: ConvSpec) -> ConvSpec:
    """The transposed convolution that maps ``direct``'s output size back to its input size."""
    back = direct.output_size
    lost = [
        i - ((o - 1) * s + (k - 1) * d + 1 - sum(p))
        for i, o, s, k, d, p in zip(
            direct.input_size, back, direct.stride, direct.kernel_size, direct.dilation, direct.padding_pairs
        )
    ]
    return ConvSpec.create(back, direct.kernel_size, stride=direct.stride,
                           padding=tuple(p for p, _ in direct.padding_pairs), dilation=direct.dilation,
                           output_padding=tuple(lost), transposed=True)


def _add(name: str, title: str, spec: ConvSpec) -> None:
    register(f"arith-{name}", f"{title}: {describe(spec)}", partial(arithmetic, spec, title=title))


for _name, (_title, _args) in DIRECT.items():
    _direct = ConvSpec.create(**_args)
    _add(_name, _title, _direct)
    _add(f"{_name}-transposed", f"{_title}, transposed", transposed_of(_direct))
_add("dilation", "Dilation", ConvSpec.create(7, 3, dilation=2))
