"""Grouped and shuffled grouped convolution (§3.6, §3.7): filters that see only their group's channels."""

from __future__ import annotations

from dataclasses import replace

from convanim.words import say
from convanim.core import engine
from convanim.blocks import (
    blank_grids,
    bracket,
    channel_roles,
    columns,
    drawn,
    filling,
    first_slices,
    heading,
    group_kernels,
    group_windows,
    links,
    OBLIQUE,
    phase,
    READ_MS,
    risen,
    shape_text,
    shuffle_lines,
    shuffled_roles,
    slice_tags,
    stack_sum_links,
    standard_of,
    STEP_MS,
    text_lines,
    value_grids,
    versus,
)
from convanim.picture import Picture, Step, Timeline
from convanim.registry import scene
from convanim.core.spec import ConvSpec

#: 4 channels in 2 groups of 2; each group has 2 filters of 3×3×2.
GROUPED = ConvSpec.create(5, 3, in_channels=4, out_channels=4, groups=2)
#: GConv1 and GConv2 of the shuffled figure: 1×1 group convolutions, as in ShuffleNet's units.
SHUFFLED = ConvSpec.create(3, 1, in_channels=4, out_channels=4, groups=2)
#: The engine's seeds for GConv1 and GConv2 (each draws its own weights; GConv1 also its input),
#: chosen so that no filter is all zeros and no output channel constant (tests/test_good_examples.py).
SEEDS = (1, 4)


@scene("grouped", "grouped convolution, 2 groups: each group of filters sees only its half of the channels")
def grouped():
    spec, standard = GROUPED, standard_of(GROUPED)
    recording = engine.run(spec)
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    inputs, outputs = columns([(spec.in_channels, *spec.input_size), (spec.out_channels, *spec.output_size)],
                              spec.groups, steps=[None, risen(spec.output_size[0], 0.25)])
    in_roles, out_roles = channel_roles(inputs), channel_roles(outputs)
    grids = blank_grids(inputs, in_roles)
    shape = shape_text((*spec.output_size, spec.out_channels))
    counts = [versus(say("cost.multiplications"), [spec.macs], standard.macs),
              versus(say("cost.parameters"), [spec.params], standard.params)]
    labels = [text_lines(inputs[-1].surface(0).point(inputs[-1].rows + 1.4, 0), counts, size="normal"),
              *links(inputs, outputs)]
    for g, (source, target) in enumerate(zip(inputs, outputs)):
        labels += [source.caption(say("grouped.input_group", group=g, first=g * per_in, last=(g + 1) * per_in - 1)),
                   target.caption(say("grouped.outputs", filters=per_out))]
    by_position = group_windows(recording)
    order = [places[0].out for places in by_position]
    sums = stack_sum_links(recording, inputs, outputs)
    text = say("grouped.reads", filters=per_out, channels=per_in)
    steps = [
        Step(replace(phase((*group_kernels(inputs, grids, places),
                            *filling(outputs, out_roles, recording.output, order, k)), text, spec),
                     links=(sums[k],)), hold_ms=READ_MS)
        for k, places in enumerate(by_position)
    ]
    final = (*drawn(inputs, grids), *filling(outputs, out_roles, recording.output, order, len(order)),
             *bracket(outputs, say("grouped.concatenated", shape=shape)))
    text = say("grouped.concatenation")
    steps.append(Step(phase(final, text, spec), STEP_MS * 4))
    return Timeline(background=Picture(items=tuple(labels), title=say("grouped.title", groups=spec.groups),
                                       links=tuple(sums)), steps=tuple(steps), view=OBLIQUE)


@scene("shuffled-grouped", "GConv1, a channel shuffle, GConv2: every group of GConv2 sees every group of GConv1")
def shuffled_grouped():
    spec, standard = SHUFFLED, standard_of(SHUFFLED)
    groups, channels = spec.groups, spec.out_channels
    first = engine.run(spec, seed=SEEDS[0])
    order = engine.channel_shuffle_order(channels, groups)
    second = engine.run(spec, input=engine.channel_shuffle(first.output[None], groups)[0], seed=SEEDS[1])
    shape = (channels, *spec.output_size)
    x, y, mixed, z = columns([(spec.in_channels, *spec.input_size), shape, shape, shape], groups,
                             steps=[None, *[risen(spec.output_size[0], 0.25)] * 3])
    x_roles, y_roles, z_roles = channel_roles(x), channel_roles(y), channel_roles(z)
    x_grids, empty = blank_grids(x, x_roles), blank_grids(mixed, [["output"] * s.channels for s in mixed])
    mixed_grids = value_grids(mixed, shuffled_roles(mixed, y_roles, order), second.input)
    counts = [versus(say("cost.multiplications"), [spec.macs, spec.macs], 2 * standard.macs),
              versus(say("cost.parameters"), [spec.params, spec.params], 2 * standard.params)]
    background = Picture(
        items=(text_lines(x[-1].surface(0).point(x[-1].rows + 1.4, 0), counts, size="normal"), *links(x, y, "GConv1"),
               *links(mixed, z, "GConv2"), *slice_tags(y), *slice_tags(mixed, order), *drawn(mixed, empty),
               heading(x[0].surface(x[0].back_to_front()[0]), say("grid.input")),
               heading(z[0].surface(z[0].back_to_front()[0]), say("grid.output")),
               *filling(z, z_roles, second.output, [], 0)),
        title=say("shuffled-grouped.title", groups=groups),
        links=(*stack_sum_links(first, x, y, say("shuffled-grouped.first_output")),
               *stack_sum_links(second, mixed, z, say("shuffled-grouped.second_output"))),
    )
    first_positions = group_windows(first)
    cells = [places[0].out for places in first_positions]
    y_done = filling(y, y_roles, first.output, cells, len(cells))
    per = spec.in_channels // groups
    steps = [Step(phase((*group_kernels(x, x_grids, places), *filling(y, y_roles, first.output, cells, k)),
                        say("shuffled-grouped.first", channels=per), spec), STEP_MS)
             for k, places in enumerate(first_positions)]
    lines = shuffle_lines(y, mixed, order)
    dealt = say("shuffled-grouped.shuffle")
    steps += [Step(phase((*lines[:k], *drawn(x, x_grids), *y_done, *drawn(mixed, first_slices(mixed_grids, empty, k))),
                         dealt, spec), READ_MS)
              for k in range(1, channels + 1)]
    steps += [Step(phase((*lines, *drawn(x, x_grids), *y_done, *group_kernels(mixed, mixed_grids, places),
                          *filling(z, z_roles, second.output, cells, k)),
                         say("shuffled-grouped.second"), spec), STEP_MS)
              for k, places in enumerate(group_windows(second))]
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)
