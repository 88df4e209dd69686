"""Dilated convolution (§3.3): the kernel's taps spread apart, the skipped cells left visible."""

from __future__ import annotations

from convanim.words import say
from convanim.registry import scene
from convanim.core.spec import ConvSpec
from convanim.figures import arithmetic


@scene("dilated", "dilation 2: the 3×3 kernel's taps spread over a 5×5 span, 7×7 → 3×3")
def dilated():
    spec = ConvSpec.create(7, 3, dilation=2)
    return arithmetic(spec, title=say("dilated.title"))
