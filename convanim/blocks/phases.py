"""Steps and their timing: a phase's overlay with its caption, and single-channel sweeps told in
phases (several recordings swept one after another on one picture).

A separable or grouped figure is a chain of convolutions drawn side by side; each link is swept in
its own phase with its own caption, and what an earlier phase computed stays on screen (filled in)
while the later phases run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from convanim.blocks.marks import Filling, kernel_shades, output_grid, sweep_link, weight_labels
from convanim.blocks.surfaces import Surface
from convanim.blocks.text import phase_caption
from convanim.blocks.windows import sweep_windows
from convanim.core import engine
from convanim.core.notation import formula_text
from convanim.core.spec import ConvSpec
from convanim.picture import Item, Label, Picture, Point3, Step


#: How long one kernel placement stays on screen when stepping (GIF for slides: ~1.5 per second).
STEP_MS = 650


#: A placement whose numbers (products, sums) are to be read: one per second.
READ_MS = 1000


#: Past this many kernel positions, a sweep speeds up (:func:`paced`): one frame per position of
#: a 64×64 input at 650 ms would play for 44 minutes.
WATCHABLE_POSITIONS = 100
#: What a sped-up sweep's steps play in at most: with the start and end holds, about 20 s.
WATCHABLE_MS = 17_000
#: How long a frame of the fast part of a sped-up sweep stays: quick, still a frame a person sees.
FAST_MS = 120
#: Positions shown one by one, at the sweep's own pace, before a long sweep speeds up.
SLOW_POSITIONS = 3


def paced(count: int, row: int, hold_ms: int, *, every_position: bool = False) -> list[tuple[int, int]]:
    """When each step of a sweep over ``count`` positions (``row`` to an output row) ends: a list of
    (positions done once the step is shown, its hold). The step's window is at the last of them.

    A short sweep (or ``every_position``) shows every position for ``hold_ms``. A long one shows
    the first few at that pace, then steps further and faster, growing to a whole output row per
    frame, and then as many rows per frame as it takes to finish within :data:`WATCHABLE_MS`.
    """
    if every_position or count <= WATCHABLE_POSITIONS:
        return [(done, hold_ms) for done in range(1, count + 1)]
    steps = [(done, hold_ms) for done in range(1, SLOW_POSITIONS + 1)]
    done, batch, hold = SLOW_POSITIONS, 1.0, float(hold_ms)
    while done < count and (batch < row or done % row):  # faster and faster, to a row's end
        batch, hold = min(float(row), batch * 1.6), max(float(FAST_MS), hold * 0.7)
        done = min(count, done + round(batch), (done // row + 1) * row)
        steps.append((done, round(hold)))
    left = max(WATCHABLE_MS - sum(ms for _, ms in steps), FAST_MS)
    remaining_rows = -(-(count - done) // row)
    rows_per_frame = max(1, -(-remaining_rows * FAST_MS // left))
    while done < count:
        done = min(count, (done // row + rows_per_frame) * row)
        steps.append((done, FAST_MS))
    return steps


def phase(items: Sequence[Item], text: str, spec: ConvSpec) -> Picture:
    """A step's overlay in a phase of a figure: its items, its :func:`phase_caption`, and the
    output-size formula (one line per axis).

    Give every overlay its own formula: the renderer sizes the caption band from each picture's
    own texts, so an overlay that borrows the background's formula can be cut off at the bottom.
    """
    return Picture(items=tuple(items), caption=phase_caption(text, spec), formula=formula_text(spec))


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
    caption (``text`` over the recording's parameters) and its size formula, and the result it
    computes (a page explains every cell a sweep fills).
    """
    places = sweep_windows(recording)
    order = [place.out for place in places]
    out = recording.output[0]
    filling = Filling(target, out, order)
    steps = []
    for done, place in enumerate(places):
        items: list[Item] = [*keep, *kernel_shades(source, place), *weight_labels(source, place)]
        items.append(filling.step(done))
        if products_at is not None:
            items.append(Label(products_at, place.products(), size="small"))
        overlay = replace(phase(items, text, recording.spec), links=(sweep_link(source, target, place, weights=True),))
        steps.append(Step(overlay, hold_ms=hold_ms))
    return steps
