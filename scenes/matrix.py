"""Where "transposed" comes from (§3.2): the convolution as a sparse matrix C, its transpose Cᵀ."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from convanim.words import say
from convanim.core import engine
from convanim.blocks import (
    cell_shades,
    Falk,
    finished,
    heading,
    kernel_shades,
    labels_of,
    output_grid,
    phase,
    READ_MS,
    roles_of,
    shape_text,
    STEP_MS,
    Surface,
    sweep_link,
    sweep_windows,
)
from convanim.core.matrix import unrolled
from convanim.picture import Label, Picture, Step, Timeline, View
from convanim.registry import scene
from convanim.core.spec import ConvSpec

#: Distinct weights 1..9, so that every row of C visibly holds the same kernel, shifted.
KERNEL = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)


@scene("transposed-matrix", "the convolution as a sparse matrix C on the flattened input; transposed is Cᵀ")
def transposed_matrix():
    direct = engine.run(ConvSpec.create(4, 3), weight=KERNEL)
    back = engine.run(ConvSpec.create(direct.spec.output_size, 3, transposed=True), weight=KERNEL)
    u = unrolled(direct, back)
    (n_out, n_in), big, small = u.matrix.shape, direct.spec.input_size, direct.spec.output_size
    c = Falk((0.0, 1.5, 0.0), u.matrix, u.structure, u.x, u.y)
    ct = Falk((c.right.point(0, 1)[0] + 3.0, 1.5, 0.0), u.matrix.T, u.structure.T, u.y_in, u.x_out)
    top = n_out + 4.0  # the grids sit in a row under C, phase 1's on the left, phase 2's on the right
    x_in = Surface((0.0, top, 0.0), *big)
    y_out = Surface((big[1] + 1.5, top + (big[0] - small[0]) / 2, 0.0), *small)
    y_in = Surface((big[1] + small[1] + 4.5, top + (big[0] - small[0]) / 2, 0.0), *small)
    x_out = Surface((big[1] + 2 * small[1] + 6.0, top, 0.0), *big)
    background = Picture(
        items=(
            x_in.grid(roles_of(direct.mask[0]), labels_of(direct.grid[0])),
            y_in.grid([["input"] * small[1]] * small[0], labels_of(back.input[0])),
            *(output_grid(s, r.output[0], 0, numbers=True, order=[]) for s, r in ((y_out, direct), (x_out, back))),
            *(heading(s, say(key, shape=shape_text((s.rows, s.cols)))) for s, key in
              ((x_in, "grid.input_shape"), (y_out, "grid.output_shape"), (y_in, "grid.input_shape"),
               (x_out, "grid.output_shape"))),
            *c.background("C", say("transposed-matrix.flattened", name="x", size=n_in), "C·x"),
            *ct.background("Cᵀ", say("transposed-matrix.flattened", name="y", size=n_out), "Cᵀ·y"),
        ),
        title=say("transposed-matrix.title", rows=n_out, cols=n_in),
        links=(*(c.link(k, "C·x") for k in range(n_out)), *(ct.link(k, "Cᵀ·y") for k in range(n_in))),
    )
    below = (x_out.point(0, big[1])[0] / 2, top + big[0] + 1.0, 0.0)
    first = say("transposed-matrix.first", shape=shape_text(KERNEL.shape[2:]))
    second = say("transposed-matrix.second")
    steps = []
    places = sweep_windows(direct)
    order = [p.out for p in places]
    for row, place in enumerate(places):
        # The weights are C's row, laid over x above it: no subscripts, which its small cells could not hold.
        items = [*kernel_shades(x_in, place), *c.row(row), Label(below, c.products(row)),
                 output_grid(y_out, direct.output[0], row, numbers=True, order=order)]
        explained = (sweep_link(x_in, y_out, place),)
        steps.append(Step(replace(phase(items, first, direct.spec), links=explained), STEP_MS * 3))
    kept = [finished(direct, y_out), c.result_grid(n_out)]
    cells = list(np.ndindex(*big))
    for row in range(n_in):
        items = [*kept, c.column(row), *ct.row(row), *cell_shades(y_in, u.structure[:, row]),
                 Label(below, ct.products(row)),
                 output_grid(x_out, back.output[0], row, numbers=True, order=cells)]
        steps.append(Step(replace(phase(items, second, back.spec), links=(ct.link(row, "Cᵀ·y"),)), READ_MS))
    return Timeline(background=background, steps=tuple(steps), view=View())
