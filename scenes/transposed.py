"""Transposed convolution (§3.2) as a sweep over the zero-inserted, padded grid the engine really uses."""

from __future__ import annotations

from convanim.words import say
from convanim.registry import scene
from convanim.core.spec import ConvSpec
from convanim.figures import arithmetic


@scene("transposed", "transposed convolution: 2×2 input, 3×3 kernel, full zero padding → 4×4")
def transposed():
    spec = ConvSpec.create(2, 3, transposed=True)
    return arithmetic(spec, title=say("transposed.title"))


@scene("transposed-strided", "stride-2 transposed convolution: zeros inserted, 3×3 → 5×5")
def transposed_strided():
    spec = ConvSpec.create(3, 3, stride=2, padding=1, transposed=True)
    return arithmetic(spec, title=say("transposed-strided.title"))
