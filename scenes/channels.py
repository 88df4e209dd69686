"""Convolutions over channels and volumes (§3.1): multi-channel 2D, 3D, and 1×1 convolution.

Channels are drawn as slice stacks in the oblique view, the kernel as a translucent block through
the slices it reads (``convanim.volumes``). Every number is an engine recording's.
"""

from __future__ import annotations

from convanim import engine
from convanim.picture import Grid, Picture, Step, Timeline
from convanim.scene import scene
from convanim.spec import ConvSpec
from convanim.storyboard import OBLIQUE, STEP_MS, number
from convanim.volumes import (
    GAP,
    Stack,
    channel_placements,
    exploded,
    filled_grid,
    group_roles,
    link,
    per_channel,
    phase,
    row,
    spatial_placements,
    under,
    volume_placements,
    windows,
)

#: The figures' convolutions: an RGB-like input, a volume, a depth-collapsing 1×1 (sizes derived).
MULTI = ConvSpec.create(5, 3, in_channels=3, bias=True)
VOLUME = ConvSpec.create((4, 5, 5), 3)
#: A seed whose bias is not zero, so the figure shows the bias being added.
MULTI_SEED = 3
POINTWISE = ConvSpec.create(4, 1, in_channels=6, out_channels=2)


def _shape(*sizes: int | tuple[int, ...]) -> str:
    """'5×5×3' from (5, 5) and 3: sizes in the order given."""
    return "×".join(str(v) for size in sizes for v in (size if isinstance(size, tuple) else (size,)))


def _signed(value: float) -> str:
    """'+ 1' or '− 1': a term added to a sum, a negative one written as a subtraction."""
    return f"{'−' if value < 0 else '+'} {number(abs(value))}"


def _sum_text(terms: list[float]) -> str:
    """'2 + 1 − 3 + 1' with the engine's numbers."""
    return " ".join([number(terms[0]), *map(_signed, terms[1:])])


@scene("conv2d-multi", "3-channel input, one 3×3 kernel slice per channel, partial results summed (+ bias)")
def conv2d_multi():
    recording = engine.run(MULTI, seed=MULTI_SEED)
    parts = per_channel(recording)
    channels, (rows, cols) = MULTI.in_channels, MULTI.input_size
    roles, names = group_roles(channels, channels), [f"channel {c}" for c in range(channels)]
    bias, output = float(recording.bias[0]), recording.output[0]
    signs = ["+"] * (channels - 1) + [f"{_signed(bias)} ="]
    results, operators = row((0.0, rows + 2.0, 0.0), [MULTI.output_size] * (channels + 1), signs)
    stack = Stack((0.0, 0.0, 0.0), channels, rows, cols).centred(0.0, results[-1].point(0, results[-1].cols)[0])
    grids = stack.grids(roles, [part.grid[0] for part in parts])
    labels = [*operators, *stack.tags(names), stack.caption(f"input {_shape(MULTI.input_size, channels)}")]
    labels += [under(s, text) for s, text in zip(results, [*names, "output"])]
    by_position = channel_placements(parts)
    order = [places[0].out for places in by_position]

    def partials(done: int, active: tuple[int, int]) -> list[Grid]:
        return [filled_grid(s, p.output[0], order[:done], active, role=r) for s, p, r in zip(results, parts, roles)]

    sweep = f"Each kernel slice convolves its own channel: {channels} partial results"
    steps = [Step(phase([*windows(stack, grids, places), *partials(k, order[k])], sweep, MULTI), STEP_MS)
             for k, places in enumerate(by_position)]
    add = f"Add the {channels} channel results and the bias, cell by cell"
    for k, cell in enumerate(order):
        terms = [float(p.output[0][cell]) for p in parts] + [bias]
        text = under(results, f"{_sum_text(terms)} = {number(output[cell])}", below=1.4, size="normal", role="text")
        items = [*windows(stack, grids, [None] * channels), *partials(len(order), cell),
                 filled_grid(results[-1], output, order[:k], cell), text]
        steps.append(Step(phase(items, add, MULTI), STEP_MS))
    background = Picture(items=(filled_grid(results[-1], output, ()), *labels), title="Multi-channel 2D convolution",
                         caption=MULTI.describe(), formula="\n".join(MULTI.formula()))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)


@scene("conv3d", "3D convolution: a 3×3×3 kernel slides along depth, rows and cols; the output is a volume")
def conv3d():
    recording = engine.run(VOLUME)
    (depth, rows, cols), (out_depth, out_rows, out_cols) = VOLUME.input_size, VOLUME.output_size
    stack = Stack((0.0, 0.0, 0.0), depth, rows, cols, (0.0, 0.0, GAP / 2))
    grids = stack.grids(["input"] * depth)
    outputs = Stack((cols + stack.fan()[0] + 2.5, (rows - out_rows) / 2, 0.0), out_depth, out_rows, out_cols,
                    exploded(out_cols))
    labels = [*stack.tags([f"depth {d}" for d in range(depth)]), *outputs.tags([f"depth {d}" for d in range(out_depth)]),
              stack.caption(f"input {_shape(VOLUME.input_size)} (depth×rows×cols)"),
              outputs.caption(f"output {_shape(VOLUME.output_size)}")]
    places = volume_placements(recording)
    order = [place.out for place in places]
    caption = "A 3D kernel slides along depth, rows and cols: one output cell per position"
    steps = []
    for k, place in enumerate(places):
        slices = [
            filled_grid(outputs.surface(d), recording.output[0, d], [cell[1:] for cell in order[:k] if cell[0] == d],
                        place.out[1:] if place.out[0] == d else None)
            for d in range(out_depth)
        ]
        arrow = link(stack, place.slices, outputs.surface(place.out[0]), place.out[1:])
        items = [*windows(stack, grids, place.slices), arrow, *outputs.layers([[s] for s in slices])]
        steps.append(Step(phase(items, caption, VOLUME), STEP_MS))
    background = Picture(items=tuple(labels), title="3D convolution", caption=VOLUME.describe(),
                         formula="\n".join(VOLUME.formula()))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)


@scene("conv1x1", "1×1 convolution: each 1×1×D kernel collapses the depth at every position; N kernels → N channels")
def conv1x1():
    recording = engine.run(POINTWISE)
    channels, kernels, (rows, cols) = POINTWISE.in_channels, POINTWISE.out_channels, POINTWISE.input_size
    stack = Stack((0.0, 0.0, 0.0), channels, rows, cols, (0.0, 0.0, GAP / 2))
    grids = stack.grids(["input"] * channels)
    outputs = Stack((cols + stack.fan()[0] + 2.5, 0.0, 0.0), kernels, rows, cols, exploded(cols))
    labels = [stack.caption(f"input {_shape(POINTWISE.input_size, channels)}"),
              outputs.caption(f"output {_shape(POINTWISE.output_size, kernels)}"),
              *outputs.tags([f"kernel {n + 1}" for n in range(kernels)])]
    steps = []
    for n, places in enumerate(spatial_placements(recording)):
        order = [place.out for place in places]
        caption = f"Kernel {n + 1} of {kernels}: a 1×1×{channels} column → one number per position"
        for k, place in enumerate(places):
            done = [order if m < n else order[:k] if m == n else [] for m in range(kernels)]
            slices = [filled_grid(outputs.surface(m), recording.output[m], done[m], place.out if m == n else None)
                      for m in range(kernels)]
            products = under([stack.surface(0), outputs.surface(0)], place.products(), below=1.4, size="normal", role="text")
            arrow = link(stack, [place] * channels, outputs.surface(n), place.out)
            items = [*windows(stack, grids, [place] * channels), arrow, *outputs.layers([[s] for s in slices]), products]
            steps.append(Step(phase(items, caption, POINTWISE), STEP_MS))
    background = Picture(items=tuple(labels), title="1×1 convolution: collapsing depth", caption=POINTWISE.describe(),
                         formula="\n".join(POINTWISE.formula()))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)
