"""Whole figures built from the building blocks: any convolution as a timeline.

:func:`arithmetic` is what ``convanim custom`` and the conv_arithmetic scenes call: it records the
convolution and hands it to the sweep that can draw it, so a figure builder sits above the blocks
it uses and nothing below it needs to know about figures.
"""

from __future__ import annotations

from convanim.core import engine
from convanim.core.spec import ConvSpec
from convanim.figures.channels import channel_sweep, volume_sweep
from convanim.figures.sweeps import default_title, numeric, oblique
from convanim.picture import Timeline

__all__ = ["arithmetic", "channel_sweep", "numeric", "oblique", "volume_sweep"]


def arithmetic(spec: ConvSpec, *, numbers: bool = False, title: str | None = None) -> Timeline:
    """Any convolution, transposed or not, as a conv_arithmetic sweep.

    A single-channel 1D or 2D one without numbers: the oblique view (:func:`oblique`); with
    numbers: the flat view of :func:`numeric`. Several channels or groups: output channel 0 as a
    channel stack (:func:`channel_sweep`); 3D: a stack of depth slices (:func:`volume_sweep`).
    """
    recording = engine.run(spec)
    if spec.dims == 3 or spec.in_channels > 1 or spec.out_channels > 1:
        sweep = volume_sweep if spec.dims == 3 else channel_sweep
        return sweep(recording, numbers=numbers, title=title or default_title(spec))
    if numbers:
        return numeric(recording, title=title)
    return oblique(recording, title=title)
