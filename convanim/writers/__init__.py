"""Writers: palette-index frames and their durations in, an animation file out.

Usage::

    with open_writer("conv.gif", loop=0) as writer:
        for frame, duration_ms in frames:
            writer.write(frame, duration_ms)
    writer.written  # [Path("conv.gif")]

Formats are registered by name (``FORMATS``); importing this package registers the built-in ones.
"""

from convanim.writers import apng, gif, mp4, pngdir, webp
from convanim.writers.base import (
    FORMATS,
    SUFFIXES,
    FrameWriter,
    Writer,
    atomic_target,
    open_writer,
    register,
    resolve_format,
)

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "FrameWriter",
    "Writer",
    "apng",
    "atomic_target",
    "gif",
    "mp4",
    "open_writer",
    "pngdir",
    "register",
    "resolve_format",
    "webp",
]
