"""The sentences figures narrate: sums, captions of phases, costs compared, kernels as vectors.

Numbers and shapes are written by :mod:`convanim.core.notation`; this module strings them into
the figure text a reader meets, always with the engine's own numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from convanim.words import say
from convanim.core.notation import describe, number, signed
from convanim.core.spec import ConvSpec


def indexed(name: str, index: Sequence[int]) -> str:
    """'output[0, 2, 3]': a result named by its index, as a tensor is indexed in PyTorch."""
    return f"{name}[{', '.join(map(str, index))}]"


def sum_text(terms: Sequence[float]) -> str:
    """'2 + 1 − 3 + 1' with the engine's numbers."""
    return " ".join([number(terms[0]), *map(signed, terms[1:])])


def phase_caption(text: str, spec: ConvSpec) -> str:
    """A phase's caption: what happens now, then the convolution's parameters (a second line)."""
    return f"{text}\n{describe(spec)}"


def channel_range(channels: range) -> str:
    """'channel 3' or 'channels 0–3'."""
    if len(channels) == 1:
        return say("stack.channel", channel=channels.start)
    return say("stack.channels", first=channels.start, last=channels[-1])


def versus(what: str, chain: Sequence[int], standard: int) -> str:
    """'multiplications: 45 + 27 = 72 vs 81 (standard)': a chain's cost against one convolution's."""
    total = sum(chain)
    parts = " + ".join(f"{n:,}" for n in chain)
    shown = f"{parts} = {total:,}" if len(chain) > 1 else parts
    return say("cost.versus", what=what, shown=shown, standard=f"{standard:,}", share=f"{total / standard:.0%}")


def bracketed(values: np.ndarray) -> str:
    """A kernel's weights as the article writes a vector: '[1, 2, 1]'."""
    return "[" + ", ".join(number(v) for v in np.ravel(values)) + "]"
