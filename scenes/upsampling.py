"""Ways up: pixel shuffle (depth to space) and the scatter view of a transposed convolution.

Both are drawn from the engine's recordings: the shuffle's which-cell-went-where, and the stamps
of a transposed convolution, each input cell's value × kernel added onto the output.
"""

from __future__ import annotations

import numpy as np

from convanim.blocks import Filling, GROUP_ROLES, Surface, arrow, heading, under
from convanim.core.pixel_shuffle import pixel_shuffle
from convanim.core.notation import number
from convanim.picture import Label, Picture, Step, Timeline, View
from convanim.registry import scene

#: Pixel shuffle's factor and the size of each input channel.
FACTOR, SIDE = 2, 3
SHUFFLE_MS = 1100


@scene("pixel-shuffle", "pixel shuffle, r = 2: four 3×3 channels interleaved into one 6×6 channel")
def pixel_shuffle_scene() -> Timeline:
    channels = FACTOR * FACTOR
    values = np.arange(channels * SIDE * SIDE, dtype=float).reshape(channels, SIDE, SIDE)
    shuffled = pixel_shuffle(values, FACTOR)
    out = shuffled.output[0]
    gap = 1.2
    inputs = [Surface(((c % FACTOR) * (SIDE + gap), (c // FACTOR) * (SIDE + gap), 0.0), SIDE, SIDE)
              for c in range(channels)]
    width = FACTOR * SIDE + (FACTOR - 1) * gap
    target = Surface((width + 3.0, (width - out.shape[0]) / 2, 0.0), *out.shape)
    sources = {(y, x): shuffled.source_of((0, y, x)) for y, x in np.ndindex(*out.shape)}  # (channel, row, col)
    roles = np.array([[GROUP_ROLES[sources[y, x][0]] for x in range(out.shape[1])] for y in range(out.shape[0])])
    texts = [[[number(v) for v in row] for row in channel] for channel in values]
    labels = [*(under(s, f"channel {c}") for c, s in enumerate(inputs)),
              Label((width / 2, -0.45, 0.0), f"input {channels}×{SIDE}×{SIDE}", size="small", role="muted"),
              heading(target, f"output 1×{out.shape[0]}×{out.shape[1]}")]
    steps, order = [], []
    for r, c in np.ndindex(SIDE, SIDE):  # one input position per step: its r² values become one block
        block = [cell for cell, (_, row, col) in sources.items() if (row, col) == (r, c)]
        order += block
        moves = [arrow(inputs[sources[y, x][0]].point(r + 0.5, c + 0.5), target.point(y + 0.5, x + 0.5))
                 for y, x in block]
        marks = [s.grid(_marked(ch, r, c), texts[ch]) for ch, s in enumerate(inputs)]
        steps.append((moves, marks, len(order)))
    filling = Filling(target, out, order, role=roles)
    background = Picture(
        items=(*(s.grid(_marked(ch), texts[ch]) for ch, s in enumerate(inputs)), *labels, filling.state(0)),
        title="Pixel shuffle: depth to space",
        caption=f"r = {FACTOR}: the {channels} channels' values at one position become one {FACTOR}×{FACTOR} block",
        formula=f"out(c, h·{FACTOR} + i, w·{FACTOR} + j) = in(c·{FACTOR * FACTOR} + i·{FACTOR} + j, h, w)",
    )
    # The arrows go under the grids, so that they leave a cell's edge and cross no number.
    shown = [Step(Picture(items=(*moves, *marks, filling.state(done))), hold_ms=SHUFFLE_MS)
             for moves, marks, done in steps]
    return Timeline(background=background, steps=tuple(shown), view=View(), glide=False)


def _marked(channel: int, row: int | None = None, col: int | None = None) -> list[list[str]]:
    """A channel's roles in its colour, the cell being moved (if any) marked as the active one."""
    roles = [[GROUP_ROLES[channel]] * SIDE for _ in range(SIDE)]
    if row is not None and col is not None:
        roles[row][col] = "active"
    return roles
