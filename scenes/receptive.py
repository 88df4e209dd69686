"""How far one output cell sees: its receptive field, growing layer by layer through a stack.

Which cells of a layer feed a chosen output cell is computed, not drawn by hand: every cell of the
layer is set to 1 alone (one batch of one-hot inputs), pushed through the engine's convolutions
with all-ones kernels, and the chosen output read off. A cell that reaches it is in the field; the
number it reaches it with is how many paths lead from that cell to the output, which is why the
middle of a receptive field counts for more than its rim.
"""

from __future__ import annotations

import numpy as np

from convanim.words import say
from convanim.blocks import Surface, heading, indexed, labels_of
from convanim.core import engine
from convanim.errors import InternalError
from convanim.picture import Grid, Label, Line, Link, Picture, Step, Timeline, View
from convanim.registry import scene

#: Three stacked 3×3 convolutions (VGG's argument: the field of one 7×7 with fewer weights).
PLAIN = [dict(kernel=3, dilation=1, stride=1)] * 3
#: WaveNet's causal stack: kernel 2, dilations doubling, padded on the left only.
CAUSAL = [dict(kernel=2, dilation=d, stride=1) for d in (1, 2, 4, 8)]
STEP_MS = 1400


def receptive_field(layers: list[dict[str, int]]) -> tuple[int, str]:
    """r = 1 + Σ (kₗ − 1)·dₗ·(the strides before l): the size and the formula with its numbers."""
    size, jump, terms = 1, 1, []
    for layer in layers:
        size += (layer["kernel"] - 1) * layer["dilation"] * jump
        terms.append(f"({layer['kernel']} − 1)·{layer['dilation']}" + (f"·{jump}" if jump > 1 else ""))
        jump *= layer["stride"]
    return size, f"r = 1 + {' + '.join(terms)} = {size}"


def _layer(x: np.ndarray, layer: dict[str, int], dims: int) -> np.ndarray:
    """One all-ones convolution of a batch, as the engine computes it (causal in 1D)."""
    k, d = layer["kernel"], layer["dilation"]
    if dims == 1:
        return engine.conv1d(x, np.ones((1, 1, k)), dilation=d, padding=(((k - 1) * d, 0),)).output
    return engine.conv2d(x, np.ones((1, 1, k, k)), dilation=d, stride=layer["stride"]).output


def paths(shape: tuple[int, ...], layers: list[dict[str, int]], target: tuple[int, ...]) -> np.ndarray:
    """For every cell of a layer of ``shape``: how many paths lead from it to ``target`` of the
    last of ``layers`` (0: outside the receptive field)."""
    cells = int(np.prod(shape))
    x = np.eye(cells).reshape(cells, 1, *shape)  # cell i alone set to 1
    for layer in layers:
        x = _layer(x, layer, len(shape))
    return x[(slice(None), 0, *target)].reshape(shape)


def span(counts: np.ndarray) -> tuple[int, ...]:
    """How many cells the field reaches across, per axis (first to last reached)."""
    extents = []
    for axis in range(counts.ndim):
        reached = np.flatnonzero(counts.any(axis=tuple(a for a in range(counts.ndim) if a != axis)))
        extents.append(int(reached[-1] - reached[0] + 1))
    return tuple(extents)


def _checked(counts: np.ndarray, expected: int) -> np.ndarray:
    """The field the engine found spans what the formula says, or the figure would teach a lie."""
    if set(span(counts)) != {expected}:
        raise InternalError(f"receptive field spans {span(counts)}, the formula says {expected}")
    return counts


def _grid(surface: Surface, counts: np.ndarray, base: str, *, chosen: bool = False) -> Grid:
    """A layer with the cells in the field marked and numbered by their paths (``chosen``: the
    output cell itself, marked as the cell being computed)."""
    return surface.grid(np.where(counts > 0, "active" if chosen else "weight", base).tolist(),
                        labels_of(counts, counts > 0))


def _field_links(source: Surface, target: Surface, layers: list[dict[str, int]]) -> list[Link]:
    """What a page says of each cell of the last layer: the input cells it sees, each with its
    number of paths (the cells of every output, not only the one the figure follows)."""
    links = []
    for cell in np.ndindex(target.rows, target.cols):
        at = cell if source.rows > 1 else cell[1:]
        counts = paths((source.rows, source.cols) if source.rows > 1 else (source.cols,), layers, at).reshape(
            source.rows, source.cols)
        seen = [(r, c) for r, c in np.ndindex(*counts.shape) if counts[r, c] > 0]
        where = (lambda r, c: f"({r}, {c})") if source.rows > 1 else (lambda r, c: say("receptive.cell", cell=c))
        terms = tuple(say("receptive.path" if counts[r, c] == 1 else "receptive.paths", cell=where(r, c),
                          count=int(counts[r, c])) for r, c in seen)
        links.append(Link(target.cell_quad(cell), tuple(source.cell_quad(rc) for rc in seen), (), terms,
                          say("receptive.sees", output=indexed("output", at), count=len(seen)), float(len(seen))))
    return links


def _plain_part(r: int) -> tuple[list[Surface], list[Label], list[Step]]:
    """Three 3×3 layers side by side, input 2 cells wider than the field; a step per layer, down."""
    sizes = [r + 2 - 2 * i for i in range(len(PLAIN) + 1)]  # 9, 7, 5, 3: valid 3×3 convolutions
    names = [say("grid.input"), *(say("receptive.layer", layer=i) for i in range(1, len(PLAIN))), say("grid.output")]
    surfaces, x = [], 0.0
    for size in sizes:
        surfaces.append(Surface((x, (sizes[0] - size) / 2, 0.0), size, size))
        x += size + 1.5
    target = (sizes[-1] // 2,) * 2
    fields: list[Grid] = []
    steps = []
    for layer in range(len(PLAIN), -1, -1):  # the output cell, then what each layer below feeds it from
        counts = paths((sizes[layer],) * 2, PLAIN[layer:], target)
        fields.append(_grid(surfaces[layer], _checked(counts, r) if layer == 0 else counts,
                            "output" if layer else "input", chosen=layer == len(PLAIN)))
        seen = "×".join(map(str, span(counts)))
        where = _where(layer, len(PLAIN))
        steps.append(Step(Picture(items=tuple(fields), caption=say("receptive.plain", seen=seen, where=where)),
                          hold_ms=STEP_MS))
    return surfaces, [heading(s, n) for s, n in zip(surfaces, names)], steps


def _causal_part(top: float, r: int, keep: tuple[Grid, ...]) -> tuple[list[Surface], list[Label], list[Step]]:
    """WaveNet's stack under it, input at the bottom; a step per layer, down, with the links."""
    count = len(CAUSAL)
    rows = [Surface((0.0, top + 1.7 * (count - i), 0.0), 1, r) for i in range(count + 1)]
    names = [say("grid.input"), *(f"d = {layer['dilation']}" for layer in CAUSAL[:-1]),
             say("receptive.last", dilation=CAUSAL[-1]["dilation"])]
    labels = [Label(row.point(0.5, -0.4), name, size="small", role="muted", anchor="rm")
              for row, name in zip(rows, names)]
    counts: dict[int, np.ndarray] = {}
    steps = []
    for row in range(count, -1, -1):
        found = paths((r,), CAUSAL[row:], (r - 1,))
        counts[row] = _checked(found, r) if row == 0 else found
        grids = [_grid(rows[i], c[None], "output" if i else "input", chosen=i == count) for i, c in counts.items()]
        links = [Line((rows[i].point(0.5, a + 0.5), rows[i + 1].point(0.5, b + 0.5)), role="line", width=0.8)
                 for i in range(row, count)
                 for a in np.flatnonzero(counts[i]) for b in np.flatnonzero(counts[i + 1])
                 if b - a in (0, CAUSAL[i]["dilation"])]
        caption = say("receptive.causal", count=int((found > 0).sum()), where=_where(row, count))
        steps.append(Step(Picture(items=(*keep, *links, *grids), caption=caption), hold_ms=STEP_MS))
    return rows, labels, steps


def _where(layer: int, last: int) -> str:
    """Which layer a caption speaks of: the input, a layer between, or the output cell itself."""
    if layer == 0:
        return say("receptive.of_input")
    return say("receptive.of_output") if layer == last else say("receptive.of_layer", layer=layer)


@scene("receptive-field", "what one output cell sees: three 3×3 layers (3×3, 5×5, 7×7) and a dilated causal stack")
def receptive_field_scene() -> Timeline:
    plain_r, plain_formula = receptive_field(PLAIN)
    causal_r, causal_formula = receptive_field(CAUSAL)
    grids, plain_labels, plain_steps = _plain_part(plain_r)
    rows, causal_labels, causal_steps = _causal_part(grids[0].rows + 2.0, causal_r, plain_steps[-1].overlay.items)
    blank = [g.grid(np.full((g.rows, g.cols), "output" if i else "input").tolist()) for i, g in enumerate(grids)]
    blank += [row.grid([["output" if i else "input"] * row.cols]) for i, row in enumerate(rows)]
    links = (*_field_links(grids[0], grids[-1], PLAIN), *_field_links(rows[0], rows[-1], CAUSAL))
    background = Picture(items=(*blank, *plain_labels, *causal_labels), links=links,
                         title=say("receptive.title"), caption=say("receptive.caption"),
                         formula=say("receptive.formula", plain=plain_formula, causal=causal_formula))
    return Timeline(background=background, steps=(*plain_steps, *causal_steps), view=View(), glide=False)
