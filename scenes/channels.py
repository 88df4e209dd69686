"""Convolutions over channels and volumes (§3.1): multi-channel 2D, 3D, and 1×1 convolution.

Channels are drawn as slice stacks in the oblique view, the kernel as a translucent block through
the slices it reads (``convanim.blocks``; the sweeps of ``convanim.figures`` also draw ``convanim custom``'s
multi-channel and 3D figures). Every number is an engine recording's.
"""

from __future__ import annotations

from dataclasses import replace

from convanim.words import say
from convanim.core import engine
from convanim.picture import Picture, Step, Timeline
from convanim.registry import scene
from convanim.core.spec import ConvSpec
from convanim.blocks import (
    filled_grid,
    GAP,
    kernel_through,
    link,
    OBLIQUE,
    phase,
    shape_text,
    spatial_windows,
    stack_sum_links,
    Stack,
    STEP_MS,
    under,
)
from convanim.figures import channel_sweep, volume_sweep
from convanim.core.notation import describe, formula_text

#: The figures' convolutions: an RGB-like input, a volume, a depth-collapsing 1×1 (sizes derived).
MULTI = ConvSpec.create(5, 3, in_channels=3, bias=True)
VOLUME = ConvSpec.create((4, 5, 5), 3)
#: A seed whose bias is not zero, so the figure shows the bias being added.
MULTI_SEED = 3
POINTWISE = ConvSpec.create(4, 1, in_channels=6, out_channels=2)


@scene("conv2d-multi", "3-channel input, one 3×3 kernel slice per channel, partial results summed (+ bias)")
def conv2d_multi():
    return channel_sweep(engine.run(MULTI, seed=MULTI_SEED), numbers=True, title=say("conv2d-multi.title"))


@scene("conv3d", "3D convolution: a 3×3×3 kernel slides along depth, rows and cols; the output is a volume")
def conv3d():
    return volume_sweep(engine.run(VOLUME), title=say("conv3d.title"))


@scene("conv1x1", "1×1 convolution: each 1×1×D kernel collapses the depth at every position; N kernels → N channels")
def conv1x1():
    recording = engine.run(POINTWISE)
    channels, kernels, (rows, cols) = POINTWISE.in_channels, POINTWISE.out_channels, POINTWISE.input_size
    stack = Stack((0.0, 0.0, 0.0), channels, rows, cols, (0.0, 0.0, GAP / 2))
    grids = stack.grids(["input"] * channels)
    outputs = stack.beside(kernels, rows, cols)
    labels = [*outputs.edges(),
              stack.caption(say("grid.input_shape", shape=shape_text(POINTWISE.input_size, channels))),
              outputs.caption(say("grid.output_shape", shape=shape_text(POINTWISE.output_size, kernels))),
              *outputs.tags([say("conv1x1.kernel", number=n + 1) for n in range(kernels)])]
    sums = stack_sum_links(recording, [stack], [outputs])
    steps = []
    for n, places in enumerate(spatial_windows(recording)):
        order = [place.out for place in places]
        caption = say("conv1x1.caption", number=n + 1, kernels=kernels, channels=channels)
        for k, place in enumerate(places):
            done = [order if m < n else order[:k] if m == n else [] for m in range(kernels)]
            slices = [filled_grid(outputs.surface(m), recording.output[m], done[m], place.out if m == n else None)
                      for m in range(kernels)]
            products = under([stack.surface(0), outputs.surface(0)], place.products(), below=1.4, size="normal",
                             role="text")
            arrow = link(stack, [place] * channels, outputs.surface(n), place.out)
            items = [*kernel_through(stack, grids, [place] * channels), arrow, *outputs.layers([[s] for s in slices]),
                     products]
            steps.append(Step(replace(phase(items, caption, POINTWISE), links=(sums[len(steps)],)), STEP_MS))
    background = Picture(items=tuple(labels), title=say("conv1x1.title"), caption=describe(POINTWISE),
                         formula=formula_text(POINTWISE), links=tuple(sums))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)
