"""Building blocks for scenes told in phases: several recordings swept one after another on one picture.

A separable or grouped figure is a chain of convolutions drawn side by side; each link is swept in
its own phase with its own caption, and what an earlier phase computed stays on screen (filled in)
while the later phases run. These functions return plain steps and items, built from engine
recordings through :mod:`convanim.storyboard`'s placements, so a scene only says which recording
goes from which surface to which.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from convanim import engine
from convanim.picture import Item, Label, Point3, Step
from convanim.storyboard import (
    READ_MS,
    Surface,
    kernel_shades,
    number,
    output_grid,
    placements,
    weight_labels,
)
from convanim.volumes import phase


def finished(recording: engine.Recording, target: Surface, *, numbers: bool = True) -> Item:
    """A single-channel recording's output with every cell computed: what a later phase keeps."""
    out = recording.output[0]
    order = list(np.ndindex(*out.shape))
    return output_grid(target, out, len(order), numbers=numbers, order=order)


def sweep(
    recording: engine.Recording,
    source: Surface,
    target: Surface,
    *,
    text: str,
    keep: Sequence[Item] = (),
    products_at: Point3 | None = None,
    hold_ms: int = READ_MS,
) -> list[Step]:
    """One step per placement of a single-channel recording, every number shown.

    The window (with its weights) moves over ``source``, whose grid the scene has drawn; the output
    fills in at ``target``. ``keep`` items (earlier phases' results) are drawn first, and
    ``products_at`` places the current placement's products line. Every step carries the phase's
    caption (``text`` over the recording's parameters) and its size formula.
    """
    places = placements(recording)
    order = [place.out for place in places]
    out = recording.output[0]
    steps = []
    for done, place in enumerate(places):
        items: list[Item] = [*keep, *kernel_shades(source, place), *weight_labels(source, place)]
        items.append(output_grid(target, out, done, numbers=True, order=order))
        if products_at is not None:
            items.append(Label(products_at, place.products(), size="small"))
        steps.append(Step(phase(items, text, recording.spec), hold_ms=hold_ms))
    return steps


def versus(what: str, chain: Sequence[int], standard: int) -> str:
    """'multiplications: 45 + 27 = 72 vs 81 (standard)': a chain's cost against one convolution's."""
    total = sum(chain)
    parts = " + ".join(f"{n:,}" for n in chain)
    shown = f"{parts} = {total:,}" if len(chain) > 1 else parts
    return f"{what}: {shown} vs {standard:,} standard ({total / standard:.0%})"


def bracketed(values: np.ndarray) -> str:
    """A kernel's weights as the article writes a vector: '[1, 2, 1]'."""
    return "[" + ", ".join(number(v) for v in np.ravel(values)) + "]"
