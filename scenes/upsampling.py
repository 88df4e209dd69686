"""Ways up: pixel shuffle (depth to space) and the scatter view of a transposed convolution.

Both are drawn from the engine's recordings: the shuffle's which-cell-went-where, and the stamps
of a transposed convolution, each input cell's value × kernel added onto the output.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from convanim.words import say
from convanim.blocks import (
    GROUP_ROLES,
    Filling,
    Surface,
    arrow,
    heading,
    indexed,
    kernel_shades,
    labels_of,
    roles_of,
    sweep_link,
    sweep_windows,
    under,
)
from convanim.core import engine
from convanim.core.events import StampCell, StampPlaced
from convanim.core.pixel_shuffle import pixel_shuffle
from convanim.core.notation import describe, factor, formula_text, number, shape_text
from convanim.core.scatter import scatter
from convanim.picture import Label, Link, Picture, Shade, Step, Timeline, View
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
    texts = [labels_of(channel) for channel in values]
    # Channel names above the top row and under the bottom row: the arrows from the bottom row
    # rise through the gap between the rows, and would cross a name there.
    names = [say("stack.channel", channel=c) for c in range(channels)]
    labels = [*(heading(s, names[c]) if c < FACTOR else under(s, names[c]) for c, s in enumerate(inputs)),
              Label((width / 2, -1.25, 0.0), say("grid.input_shape", shape=f"{channels}×{SIDE}×{SIDE}"), size="small",
                    role="muted"),
              heading(target, say("grid.output_shape", shape=f"1×{out.shape[0]}×{out.shape[1]}"))]
    steps, order = [], []
    for r, c in np.ndindex(SIDE, SIDE):  # one input position per step: its r² values become one block
        block = [cell for cell, (_, row, col) in sources.items() if (row, col) == (r, c)]
        order += block
        moves = [arrow(inputs[sources[y, x][0]].point(r + 0.5, c + 0.5), target.point(y + 0.5, x + 0.5))
                 for y, x in block]
        marks = [s.grid(_marked(ch, r, c), texts[ch]) for ch, s in enumerate(inputs)]
        steps.append((moves, marks, len(order)))
    filling = Filling(target, out, order, role=roles)
    moved = {cell: _moved(inputs, target, cell, sources[cell], float(out[cell])) for cell in sources}
    background = Picture(
        items=(*(s.grid(_marked(ch), texts[ch]) for ch, s in enumerate(inputs)), *labels, filling.state(0)),
        title=say("pixel-shuffle.title"),
        caption=say("pixel-shuffle.caption", factor=FACTOR, channels=channels),
        formula=f"out(c, h·{FACTOR} + i, w·{FACTOR} + j) = in(c·{FACTOR * FACTOR} + i·{FACTOR} + j, h, w)",
        links=tuple(moved.values()),
    )
    # The arrows go under the grids, so that they leave a cell's edge and cross no number.
    shown = [Step(Picture(items=(*moves, *marks, filling.state(done)), links=(moved[order[done - 1]],)),
                  hold_ms=SHUFFLE_MS)
             for moves, marks, done in steps]
    return Timeline(background=background, steps=tuple(shown), view=View(), glide=False)


def _moved(inputs: list[Surface], target: Surface, cell: tuple[int, int], source: tuple[int, int, int],
           value: float) -> Link:
    """What a page says of one output cell of the shuffle: the input cell its value came from."""
    channel, row, col = source
    return Link(target.cell_quad(cell), (inputs[channel].cell_quad((row, col)),), (),
                (say("pixel-shuffle.from", channel=channel, row=row, col=col),),
                f"{indexed('output', (0, *cell))} = {number(value)}", value)


def _marked(channel: int, row: int | None = None, col: int | None = None) -> list[list[str]]:
    """A channel's roles in its colour, the cell being moved (if any) marked as the active one."""
    roles = [[GROUP_ROLES[channel]] * SIDE for _ in range(SIDE)]
    if row is not None and col is not None:
        roles[row][col] = "active"
    return roles


#: The scatter figure's transposed convolution: a 2×2 input, a 3×3 kernel, stride 2 (output 5×5).
SCATTER_INPUT = np.array([[1.0, 2.0], [3.0, 1.0]])
SCATTER_KERNEL = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
SCATTER_STRIDE = 2
SCATTER_MS = 1800
#: Each placement of the direct view, which only confirms the stamps' sums: brisk.
DIRECT_MS = 450
#: The input side whose overlap counts show the checkerboard: big enough for its inside to repeat.
OVERLAP_SIDE = 3


@scene("transposed-scatter", "a strided transposed convolution as stamps: each input cell adds value × kernel "
       "onto the output, beside the zero-insertion view, and the stamps' overlap counts")
def transposed_scatter() -> Timeline:
    recording = engine.conv_transpose2d(SCATTER_INPUT[None], SCATTER_KERNEL[None, None], stride=SCATTER_STRIDE)
    stamps = scatter(recording)
    out = stamps.output[0]
    big, small = 1.5, 0.75  # the stamps are the figure; the other views sit smaller under them
    source = Surface((0.0, 1.5 * big, 0.0), *SCATTER_INPUT.shape, cell=big)
    kernel = Surface((3.0 * big, big, 0.0), *SCATTER_KERNEL.shape, cell=big)
    target = Surface((7.5 * big, 0.0, 0.0), *out.shape, cell=big)
    below = out.shape[0] * big + 2.0
    direct = Surface((0.0, below, 0.0), *recording.grid.shape[1:], cell=small)
    counts = [overlaps(kernel_size) for kernel_size in (3, 4)]
    first_x = (direct.cols + 2) * small
    maps = [Surface((first_x, below, 0.0), *counts[0].shape, cell=small),
            Surface((first_x + (counts[0].shape[1] + 2) * small, below, 0.0), *counts[1].shape, cell=small)]
    background = Picture(
        links=tuple(_stamp_links(stamps.events, source, kernel, target, out)),
        items=(source.grid([["input"] * 2] * 2, labels_of(SCATTER_INPUT)),
               kernel.grid([["weight"] * 3] * 3, labels_of(SCATTER_KERNEL)),
               target.grid([["output"] * out.shape[1]] * out.shape[0]),
               heading(source, say("transposed-scatter.input", shape=shape_text(SCATTER_INPUT.shape))),
               heading(kernel, say("transposed-scatter.kernel", shape=shape_text(SCATTER_KERNEL.shape))),
               heading(target, say("transposed-scatter.output", shape=shape_text(out.shape)))),
        title=say("transposed-scatter.title"),
        caption=describe(recording.spec),
        formula=formula_text(recording.spec),
    )
    steps = []
    totals, reached = np.zeros(out.shape), np.zeros(out.shape, dtype=bool)  # the running sums so far
    for stamp in stamps.events:
        if not isinstance(stamp, StampPlaced):
            continue
        row, col = stamp.input_index[-2:]
        touched = [cell.output_index[-2:] for cell in stamp.cells if cell.output_index is not None]
        for cell in stamp.cells:
            if cell.output_index is not None:
                totals[cell.output_index[-2:]], reached[cell.output_index[-2:]] = cell.total, True
        roles = np.where(reached, "done", "output").astype(object)
        for cell in touched:
            roles[cell] = "intermediate"
        marked = [["input"] * 2 for _ in range(2)]
        marked[row][col] = "active"
        (r0, c0), (r1, c1) = np.min(touched, axis=0), np.max(touched, axis=0) + 1
        items = (source.grid(marked, labels_of(SCATTER_INPUT)), target.grid(roles.tolist(), labels_of(totals, reached)),
                 Shade(target.quad(r0, c0, r1, c1), alpha=0.25))
        caption = say("transposed-scatter.stamp", row=row, col=col, value=number(stamp.value))
        steps.append(Step(Picture(items=items, caption=caption), hold_ms=SCATTER_MS))
    zeros = direct.grid(roles_of(recording.mask[0]), labels_of(recording.grid[0]))
    places = sweep_windows(recording)  # the engine's own narration: the direct equivalent's placements
    again = Filling(target, out, [place.out for place in places])
    direct_text = say("transposed-scatter.direct")
    direct_name = heading(direct, say("transposed-scatter.as_direct"))
    for done, place in enumerate(places):
        items = (zeros, direct_name, *kernel_shades(direct, place), again.step(done))
        steps.append(Step(Picture(items=items, caption=direct_text, links=(sweep_link(direct, target, place),)),
                          hold_ms=DIRECT_MS))
    same = (zeros, direct_name, again.state(len(places)))
    overlap = [m.grid(np.where(c > c.min(), "intermediate", "done").tolist(), labels_of(c))
               for m, c in zip(maps, counts)]
    names = [heading(maps[0], say("transposed-scatter.per_cell")), heading(maps[1], "k=4, s=2")]
    steps.append(Step(Picture(items=(*same, *overlap, *names),
                              caption=say("transposed-scatter.overlaps", side=OVERLAP_SIDE)),
                      hold_ms=3 * SCATTER_MS))
    return Timeline(background=background, steps=tuple(steps), view=View(), glide=False)


def _stamp_links(events: Sequence[object], source: Surface, kernel: Surface, target: Surface,
                 out: np.ndarray) -> list[Link]:
    """What a page says of each output cell of the scatter view: every stamp that reaches it,
    as input value × kernel weight, and their sum, the engine's numbers."""
    terms: dict[tuple[int, int], list[tuple[StampPlaced, StampCell]]] = {}
    for stamp in events:
        if isinstance(stamp, StampPlaced):
            for cell in stamp.cells:
                if cell.output_index is not None:
                    terms.setdefault(cell.output_index[-2:], []).append((stamp, cell))
    links = []
    for (row, col), reaching in sorted(terms.items()):
        texts = tuple(f"{number(stamp.value)} × {factor(SCATTER_KERNEL[cell.weight_index[-2:]])} = "
                      f"{number(cell.product)}" for stamp, cell in reaching)
        value = float(out[row, col])
        links.append(Link(target.cell_quad((row, col)),
                          tuple(source.cell_quad(stamp.input_index[-2:]) for stamp, _ in reaching),
                          tuple(kernel.cell_quad(cell.weight_index[-2:]) for _, cell in reaching),
                          texts, f"{indexed('output', (0, row, col))} = Σ = {number(value)}", value))
    return links


def overlaps(kernel_size: int) -> np.ndarray:
    """How many stamps land on each output cell of a stride-2 transposed convolution of an
    :data:`OVERLAP_SIDE`-square input, as the engine's scatter view counts them."""
    x, kernel = np.ones((1, OVERLAP_SIDE, OVERLAP_SIDE)), np.ones((1, 1, kernel_size, kernel_size))
    return scatter(engine.conv_transpose2d(x, kernel, stride=SCATTER_STRIDE)).overlaps
