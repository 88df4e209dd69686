"""Whole figures built from the building blocks: any convolution as a timeline.

:func:`arithmetic` is what ``convanim custom`` and the conv_arithmetic scenes call: it records the
convolution and hands it to the sweep that can draw it, so a figure builder sits above the blocks
it uses and nothing below it needs to know about figures.
"""

from __future__ import annotations

from typing import Literal

from convanim.core import engine
from convanim.core.spec import ConvSpec
from convanim.figures.channels import channel_sweep, volume_sweep
from convanim.blocks.scales import MAX_NUMBERED_SIDE
from convanim.figures.sweeps import default_title, heat_map, numeric, oblique
from convanim.picture import Timeline

#: How a figure shows cell values (see :func:`arithmetic`).
Values = Literal["hidden", "numbers", "heat", "auto"]

__all__ = ["Values", "arithmetic", "channel_sweep", "heat_map", "numeric", "oblique", "volume_sweep"]


def arithmetic(
    source: ConvSpec | engine.Recording,
    *,
    values: Values = "hidden",
    title: str | None = None,
    every_position: bool = False,
) -> Timeline:
    """Any convolution, transposed or not, as a conv_arithmetic sweep.

    ``source`` is a spec (recorded on seeded small integers) or a recording of the user's own
    arrays (``engine.conv2d(x, w)``, ``engine.run(spec, x, w, b)``). ``values`` says how cell
    values show: ``hidden`` (the oblique view), ``numbers``, ``heat`` (a heat map) or ``auto``
    (numbers where the cells are big enough to read them, else the heat map).
    ``every_position`` keeps one frame per kernel position in a long sweep, which otherwise
    speeds up so that it plays in a watchable time.

    A single-channel 1D or 2D one without values: the oblique view (:func:`oblique`); with
    numbers: the flat view of :func:`numeric`; as a heat map: :func:`heat_map`. Several channels or
    groups: output channel 0 as a channel stack (:func:`channel_sweep`); 3D: a stack of depth slices
    (:func:`volume_sweep`).
    """
    recording = source if isinstance(source, engine.Recording) else engine.run(source)
    spec = recording.spec
    if values == "auto":
        values = "numbers" if max(recording.grid.shape[-2:]) <= MAX_NUMBERED_SIDE else "heat"
    if spec.dims == 3 or spec.in_channels > 1 or spec.out_channels > 1:
        numbers, named = values == "numbers", title or default_title(spec)
        if spec.dims == 3:
            return volume_sweep(recording, numbers=numbers, title=named, every_position=every_position)
        return channel_sweep(recording, numbers=numbers, title=named, every_position=every_position,
                             heat=values == "heat")
    if values == "heat":
        return heat_map(recording, title=title, every_position=every_position)
    if values == "numbers":
        return numeric(recording, title=title, every_position=every_position)
    return oblique(recording, title=title, every_position=every_position)
