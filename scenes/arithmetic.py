"""The conv_arithmetic suite, generated from one table of parameters (Dumoulin & Visin's figures).

Each row is a figure name and the spec it shows; the transposed figures use the parameters of the
direct convolution they undo, as conv_arithmetic does, with the input size that direct
convolution produced. Every output size is derived by the spec, none is typed.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from convanim.core import engine
from convanim.registry import register
from convanim.core.spec import ConvSpec
from convanim.core.pool_spec import PoolSpec
from convanim.core.pooling import run_pool
from convanim.figures import arithmetic, numeric
from convanim.figures.pooling import pool_sweep
from convanim.core.notation import describe, describe_pool
from convanim.words import say

#: name -> direct spec arguments; the title is the catalogue's ``arith.<name>``, and the
#: "-transposed" rows are generated from the direct ones.
DIRECT = {
    "no-padding-no-strides": dict(input_size=4, kernel_size=3),
    "arbitrary-padding-no-strides": dict(input_size=5, kernel_size=4, padding=2),
    "same-padding-no-strides": dict(input_size=5, kernel_size=3, padding=1),
    "full-padding-no-strides": dict(input_size=5, kernel_size=3, padding=2),
    "no-padding-strides": dict(input_size=5, kernel_size=3, stride=2),
    "padding-strides": dict(input_size=5, kernel_size=3, stride=2, padding=1),
    "padding-strides-odd": dict(input_size=6, kernel_size=3, stride=2, padding=1),
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


def _title(key: str, transposed: bool) -> str:
    """The figure's title in the language spoken when it is built."""
    title = say(f"arith.{key}")
    return say("arith.transposed", title=title) if transposed else title


def _figure(spec: ConvSpec, key: str) -> object:
    return arithmetic(spec, title=_title(key, spec.transposed))


def _add(name: str, key: str, spec: ConvSpec) -> None:
    register(f"arith-{name}", f"{_title(key, spec.transposed)}: {describe(spec)}", partial(_figure, spec, key))


for _name, _args in DIRECT.items():
    _direct = ConvSpec.create(**_args)
    _add(_name, _name, _direct)
    _add(f"{_name}-transposed", _name, transposed_of(_direct))
_add("dilation", "dilation", ConvSpec.create(7, 3, dilation=2))


#: The numbers of conv_arithmetic's numerical figures (the guide's figures 1.1 and 1.3): its 5×5
#: input and 3×3 kernel, so that each output (12, 12, 17, ...) can be checked against the paper.
NUMERICAL_INPUT = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], float)
NUMERICAL_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], float)
NUMERICAL: dict[str, dict[str, int]] = {"no-padding-no-strides": {}, "padding-strides": dict(stride=2, padding=1)}


def _numerical(name: str) -> object:
    recording = engine.conv2d(NUMERICAL_INPUT[None], NUMERICAL_KERNEL[None, None], **NUMERICAL[name])
    return numeric(recording, title=say(f"arith.numerical-{name}"))


for _name, _options in NUMERICAL.items():
    _spec = ConvSpec.create(5, 3, **_options)
    register(f"arith-numerical-{_name}", f"{say(f'arith.numerical-{_name}')}: {describe(_spec)}",
             partial(_numerical, _name))


#: conv_arithmetic's numerical pooling figures: the same input, a 3×3 window, stride 1.
POOLING = {"average-pooling": "avg", "max-pooling": "max"}


def _pool_spec(kind: str) -> PoolSpec:
    return PoolSpec.create(kind, NUMERICAL_INPUT.shape, 3, stride=1)


def _pooling(name: str) -> object:
    return pool_sweep(run_pool(_pool_spec(POOLING[name]), NUMERICAL_INPUT[None]), title=say(f"arith.numerical-{name}"))


for _name, _kind in POOLING.items():  # described from the spec: nothing is computed at import
    register(f"arith-numerical-{_name}", f"{say(f'arith.numerical-{_name}')}: {describe_pool(_pool_spec(_kind))}",
             partial(_pooling, _name))
