"""Separable convolutions (§3.4): a kernel factored into smaller ones, each pass a real recording."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from convanim.words import say
from convanim.core import composite, engine
from convanim.blocks import (
    bracketed,
    filled_grid,
    filling,
    finished,
    GAP,
    gather,
    group_roles,
    group_windows,
    heading,
    kernel_shades,
    kernel_through,
    labels_of,
    OBLIQUE,
    output_grid,
    phase,
    roles_of,
    shape_text,
    side_by_side,
    spatial_windows,
    Stack,
    stack_sum_links,
    STEP_MS,
    Surface,
    sweep,
    text_lines,
    under,
    versus,
)
from convanim.picture import Box, Label, Picture, Step, Timeline, View
from convanim.registry import scene
from convanim.core.spec import ConvSpec

#: The edge-filter image: the Sobel kernel [1, 2, 1]ᵀ·[−1, 0, 1] finds the same vertical edges.
IMAGE = np.array([[0, 0, 1, 1, 0], [0, 1, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 1, 1, 0], [0, 0, 1, 1, 0]], float)


@scene("spatial-separable", "a 3×3 kernel as a 3×1 pass then a 1×3 pass: same output, 6 multiplications not 9")
def spatial_separable():
    rec = composite.spatial_separable(IMAGE, [1, 2, 1], [-1, 0, 1])
    column, row, full = rec.column_pass, rec.row_pass, rec.full
    (rows, cols), mid, out = IMAGE.shape, column.output.shape[1:], full.output.shape[1:]
    source = Surface((0.0, 0.0, 0.0), rows, cols)
    middle = Surface((cols + 2.0, (rows - mid[0]) / 2, 0.0), *mid)
    target = Surface((cols + mid[1] + 4.0, (rows - out[0]) / 2, 0.0), *out)
    centre = target.point(0, out[1])[0] / 2
    col_k, row_k, full_k = (shape_text(r.spec.kernel_size) for r in (column, row, full))
    col_w, row_w = bracketed(column.weight) + "ᵀ", bracketed(row.weight)
    per_output = [math.prod(r.spec.kernel_size) for r in (column, row)]
    counts = [
        versus(say("cost.per_output"), per_output, rec.full_macs_per_output),
        versus(say("cost.in_all"), [column.spec.macs, row.spec.macs], rec.full_macs),
        versus(say("cost.parameters"), [column.spec.params, row.spec.params], full.spec.params),
    ]
    background = Picture(
        items=(
            source.grid(roles_of(column.mask[0]), labels_of(column.grid[0])),
            heading(source, say("grid.input_shape", shape=shape_text(IMAGE.shape))),
            output_grid(middle, column.output[0], 0, numbers=True, order=[]),
            heading(middle, say("spatial-separable.after", kernel=col_k, shape=shape_text(mid))),
            output_grid(target, full.output[0], 0, numbers=True, order=[]),
            heading(target, say("grid.output_shape", shape=shape_text(out))),
            Label((centre, rows + 1.8, 0.0), f"{counts[0]};  {counts[1]}", size="small", role="muted"),
            Label((centre, rows + 2.5, 0.0), counts[2], size="small", role="muted"),
        ),
        title=say("spatial-separable.title", full=full_k, column=col_k, row=row_k),
    )
    products = (centre, rows + 0.9, 0.0)
    phases = [
        (column, source, middle, say("spatial-separable.first", kernel=col_k, weights=col_w)),
        (row, middle, target, say("spatial-separable.second", kernel=row_k, weights=row_w)),
        (full, source, target, say("spatial-separable.third", kernel=full_k, weights=f"{col_w}·{row_w}")),
    ]
    steps = []
    for number, (recording, start, end, sentence) in enumerate(phases):
        keep = [finished(column, middle)] if number else []
        steps += sweep(recording, start, end, text=sentence, keep=keep, products_at=products)
    return Timeline(background=background, steps=tuple(steps), view=View())


#: The article's depthwise separable example: 7×7×3 → 5×5×3 (depthwise) → 5×5×128 (pointwise).
DEPTHWISE = ConvSpec.create(7, 3, in_channels=3, out_channels=3, groups=3)
POINTWISE = ConvSpec.create(DEPTHWISE.output_size, 1, in_channels=3, out_channels=128)
#: The engine's seed for the pointwise weights: the first kernel reads every channel (no zero weight),
#: and none of the 128 filters is all zeros (tests/test_good_examples.py).
POINTWISE_SEED = 121


@scene("depthwise-separable", "depthwise 3×3 per channel (7×7×3 → 5×5×3), pointwise 1×1×3, ×128 → 5×5×128")
def depthwise_separable():
    depthwise = engine.run(DEPTHWISE)
    pointwise = engine.run(POINTWISE, input=depthwise.output, seed=POINTWISE_SEED)
    rec = composite.DepthwiseSeparableRecording(depthwise, pointwise)
    channels, (rows, cols), (out_rows, out_cols) = DEPTHWISE.in_channels, DEPTHWISE.input_size, DEPTHWISE.output_size
    source = Stack((0.0, 0.0, 0.0), channels, rows, cols, side_by_side(cols))
    middle = Stack(((cols - out_cols) / 2, rows + 2.5, 0.0), channels, out_rows, out_cols, source.step)
    x, y, z = middle.slice_origin(channels // 2)
    target = Surface((x, y + out_rows + 2.5, z), out_rows, out_cols)
    roles = [group_roles(channels, channels)]
    grids = source.grids(roles[0])
    by_position = group_windows(depthwise)  # one kernel per channel, all at the same window
    order = [places[0].out for places in by_position]
    done = [*source.layers([[grid] for grid in grids]), *filling([middle], roles, depthwise.output, order, len(order))]
    out = pointwise.output[0]
    kernels, volume_shape = POINTWISE.out_channels, shape_text((out_rows, out_cols, POINTWISE.out_channels))
    counts = [versus(say("cost.multiplications"), [DEPTHWISE.macs, POINTWISE.macs], rec.standard_macs),
              versus(say("cost.parameters"), [DEPTHWISE.params, POINTWISE.params], rec.standard_spec.params)]
    sums = stack_sum_links(depthwise, [source], [middle], say("depthwise-separable.after"))
    mixed = stack_sum_links(pointwise, [middle], [Stack(target.origin, 1, out_rows, out_cols)], out_channels=1)
    background = Picture(
        items=(text_lines(target.point(out_rows + 2.0, -x), counts, size="normal"),
               # Named above, not under: the pointwise lines run down from the middle tensor.
               heading(source.surface(channels // 2),
                       say("grid.input_shape", shape=shape_text((rows, cols, channels)))),
               heading(middle.surface(channels // 2),
                       say("depthwise-separable.after_shape", shape=shape_text((out_rows, out_cols, channels)))),
               filled_grid(target, out, []),
               Label(target.point(out_rows - 0.5, out_cols + 0.3), say("grid.output"), size="small", role="muted",
                     anchor="lm")),
        title=say("depthwise-separable.title"),
        links=(*sums, *mixed),
    )
    first = say("depthwise-separable.first", channels=channels, shape=shape_text((*DEPTHWISE.kernel_size, 1)))
    steps = [Step(replace(phase((*kernel_through(source, grids, places, block=False),
                                 *filling([middle], roles, depthwise.output, order, k)), first, DEPTHWISE),
                          links=(sums[k],)), STEP_MS)
             for k, places in enumerate(by_position)]
    second = say("depthwise-separable.second", shape=shape_text((*POINTWISE.kernel_size, channels)), channels=channels,
                 kernels=kernels)
    steps += [Step(replace(phase((*gather(middle, place.out, target, place.out), *done,
                                  *(kernel_shades(middle.surface(c), place)[0] for c in range(channels)),
                                  filled_grid(target, out, order[:k], place.out), under(target, place.products())),
                                 second, POINTWISE), links=(mixed[k],)), STEP_MS)
              for k, place in enumerate(spatial_windows(pointwise)[0])]
    block = Box(target.point(0, out_cols + 4.5), (out_cols, out_rows, GAP), role="done", label=volume_shape)
    times = Label(target.point(out_rows / 2, out_cols + 1.5), f"×{kernels}", size="large")
    third = say("depthwise-separable.third", kernels=kernels, shape=volume_shape)
    steps.append(Step(phase((*done, filled_grid(target, out, order), times, block), third, POINTWISE), STEP_MS * 5))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)
