"""Flattened convolution (§3.5): a standard C×k×k filter replaced by three 1D filters in a row.

The three passes are engine recordings chained by ``convanim.core.composite.flattened``, which also
records the standard filter they multiply out to and refuses a chain that does not reproduce it;
the counts in the caption come from those recordings' specs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from convanim.words import say
from convanim.core import composite, engine
from convanim.picture import Picture, Step, Timeline
from convanim.registry import scene
from convanim.core.spec import ConvSpec
from convanim.blocks import (
    filled_grid,
    group_roles,
    indexed,
    kernel_shades,
    kernel_through,
    number,
    OBLIQUE,
    phase,
    row,
    spatial_windows,
    Stack,
    stack_sum_links,
    STEP_MS,
    sweep_link,
    sweep_windows,
    text_lines,
    under,
)
from convanim.core.notation import describe, formula_text

#: The input's shape (channels, rows, cols); its values are the engine's seeded draw for this shape.
CHANNELS, SIZE = 3, 4
#: The three 1D filters: across channels, vertical, horizontal (their product is a 3×3×3 filter).
ACROSS, VERTICAL, HORIZONTAL = (1.0, -1.0, 2.0), (1.0, 2.0, 1.0), (-1.0, 0.0, 1.0)


def flattened_recording() -> composite.FlattenedRecording:
    """The figure's computation: the engine's seeded input through the three 1D filters."""
    image = engine.run(ConvSpec.create(SIZE, 1, in_channels=CHANNELS)).input
    return composite.flattened(image, ACROSS, VERTICAL, HORIZONTAL)


def _costs(chain: composite.FlattenedRecording) -> list[str]:
    """The cost panel: multiplications and parameters of each pass against the standard filter."""
    passes = (chain.channel_pass, chain.vertical_pass, chain.horizontal_pass)
    full = chain.full.spec
    return [
        say("flattened.standard", shape=f"{'×'.join(map(str, full.kernel_size))}×{full.in_channels}"),
        "   " + say("flattened.cost", macs=full.macs, params=full.params),
        say("flattened.three"),
        "   " + say("flattened.macs", sum=' + '.join(str(p.spec.macs) for p in passes), macs=chain.flattened_macs),
        "   " + say("flattened.params", sum=' + '.join(str(p.spec.params) for p in passes),
                    params=sum(p.spec.params for p in passes)),
    ]


def _weights(values: tuple[float, ...]) -> str:
    return "(" + ", ".join(map(number, values)) + ")"


@scene("flattened", "a C×k×k filter as three 1D filters: across channels, vertically, horizontally")
def flattened():
    chain = flattened_recording()
    passes = (chain.channel_pass, chain.vertical_pass, chain.horizontal_pass)
    shapes = [p.output.shape[1:] for p in passes]
    results, arrows = row((0.0, SIZE + 2.2, 0.0), shapes, ["→", "→"], gap=3.0)
    stack = Stack((0.0, 0.0, 0.0), CHANNELS, SIZE, SIZE)
    grids = stack.grids(group_roles(CHANNELS, CHANNELS), list(chain.channel_pass.grid))
    filters = [f"1×1×{CHANNELS} {_weights(ACROSS)}", f"{len(VERTICAL)}×1 {_weights(VERTICAL)}",
               f"1×{len(HORIZONTAL)} {_weights(HORIZONTAL)}"]
    labels = [*arrows, text_lines((SIZE + stack.fan()[0] + 1.3, SIZE - 1.0, 0.0), _costs(chain)),
              stack.caption(say("grid.input_shape", shape=f"{SIZE}×{SIZE}×{CHANNELS}")),
              *stack.tags([say("stack.channel", channel=c) for c in range(CHANNELS)])]
    steps_named = [say("flattened.across"), say("flattened.then_vertically"), say("flattened.then_horizontally")]
    labels += [under(s, text) for s, text in zip(results, steps_named)]
    texts = [say(f"flattened.pass{n + 1}", filter=text) for n, text in enumerate(filters)]
    sweeps = [spatial_windows(chain.channel_pass)[0], sweep_windows(chain.vertical_pass),
              sweep_windows(chain.horizontal_pass)]
    names = (say("flattened.across"), say("flattened.vertically"), say("grid.output"))
    steps = []
    for index, (recording, places) in enumerate(zip(passes, sweeps)):
        order = [place.out for place in places]
        sums = (stack_sum_links(recording, [stack], [Stack(results[0].origin, 1, *shapes[0])], names[0]) if index == 0
                else [sweep_link(results[index - 1], results[index], place,
                                 name=indexed(names[index], place.out)) for place in places])
        grids_now = [filled_grid(s, p.output[0], list(np.ndindex(*p.output.shape[1:])), role="intermediate")
                     for s, p in zip(results[:index], passes)]
        for k, place in enumerate(places):
            current = filled_grid(results[index], recording.output[0], order[:k], place.out)
            kernel = (kernel_through(stack, grids, [place] * CHANNELS) if index == 0
                      else [*stack.layers([[g] for g in grids]), *kernel_shades(results[index - 1], place)])
            products = under(results, place.products(), below=1.4, size="normal", role="text")
            items = [*grids_now, *kernel, current, products]
            steps.append(Step(replace(phase(items, texts[index], recording.spec), links=(sums[k],)), STEP_MS))
    background = Picture(items=(*(filled_grid(s, p.output[0], ()) for s, p in zip(results, passes)), *labels),
                         title=say("flattened.title"), caption=describe(chain.full.spec),
                         formula=formula_text(chain.full.spec))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)
