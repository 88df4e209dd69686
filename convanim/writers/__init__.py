"""Writers: palette-index frames (or vector drawings) and their durations in, a file out.

Usage::

    with open_writer("conv.gif", loop=0) as writer:
        for frame, duration_ms in frames:
            writer.write(frame, duration_ms)
    writer.written  # [Path("conv.gif")]

Formats are registered by name (``FORMATS``), each writer class with its :class:`FormatInfo`;
importing this package registers the built-in ones.
"""

from convanim.writers import apng, gif, html, mp4, pdf, pngdir, svg, webp
from convanim.writers.base import FormatInfo, FrameWriter, PageWriter, StagedWriter
from convanim.writers.formats import FORMATS, SUFFIXES, format_info, format_of, open_writer, register, resolve_format
from convanim.writers.staging import atomic_target, check_target

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "FormatInfo",
    "FrameWriter",
    "PageWriter",
    "StagedWriter",
    "apng",
    "atomic_target",
    "check_target",
    "format_info",
    "format_of",
    "gif",
    "html",
    "mp4",
    "open_writer",
    "pdf",
    "pngdir",
    "register",
    "resolve_format",
    "svg",
    "webp",
]
