"""The format registry: each writer class declares its facts in one record, :class:`FormatInfo`.

Registration is explicit (``@register`` on the writer class, no discovery), and nothing else keeps
a list of formats: the API, the notebook display and the decks read suffixes, MIME types, video
or folder nature, loop support and each format's own options from these records.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from convanim.checks import check_whole
from convanim.errors import BadInput, MissingBackend
from convanim.writers.base import FormatInfo, StagedWriter
from convanim.writers.staging import check_target

#: Format name -> writer class, filled by ``@register``.
FORMATS: dict[str, type[StagedWriter]] = {}


#: File suffix (lower case, ``""`` for none) -> format name.
SUFFIXES: dict[str, str] = {}


W = TypeVar("W", bound="type[StagedWriter]")


def register(cls: W) -> W:
    """Class decorator adding a writer to ``FORMATS`` under its ``info.name`` and mapping its
    ``info.suffixes`` to it.

    A name or suffix may be claimed only once, so the format chosen for a path never depends on
    import order.
    """
    info = cls.info
    if info.name in FORMATS:
        raise ValueError(f"name: format {info.name!r} is already registered")
    for suffix in info.suffixes:
        if suffix in SUFFIXES:
            raise ValueError(f"suffixes: {suffix!r} already belongs to {SUFFIXES[suffix]!r}")
        SUFFIXES[suffix] = info.name
    FORMATS[info.name] = cls
    return cls


def format_info(name: str) -> FormatInfo:
    """The record of a registered format."""
    return FORMATS[name].info


def format_of(path: Path) -> FormatInfo | None:
    """The record of the format a file's suffix names, or None for a suffix no format claims."""
    name = SUFFIXES.get(path.suffix.lower())
    return None if name is None else format_info(name)


def _allowed() -> str:
    """The formats and suffixes, for error messages that tell the user what would work."""
    return ", ".join(f"{name} ({', '.join(s or 'no suffix' for s in cls.info.suffixes)})"
                     for name, cls in FORMATS.items())


def resolve_format(path: Path, format: str | None = None) -> str:
    """The format name for ``path``: ``format`` if given (it wins over the suffix), else by suffix.

    Raises BadInput for an unknown name or suffix, and MissingBackend for a known format whose
    backend is missing: writing another format instead would surprise whoever embeds the file.
    """
    if format is None:
        name = SUFFIXES.get(path.suffix.lower())
        if name is None:
            raise BadInput(
                f"path: cannot tell the format from the suffix {path.suffix!r}; "
                f"use one of: {_allowed()}"
            )
    else:
        name = format.lower()
        if name not in FORMATS:
            raise BadInput(f"format: {format!r} is not one of: {_allowed()}")
    missing = FORMATS[name].missing_backend()
    if missing:
        usable = ", ".join(n for n, cls in FORMATS.items() if not cls.missing_backend())
        raise MissingBackend(f"format: {name} cannot be written here ({missing}); usable: {usable}")
    return name


def open_writer(
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    fps: float | None = None,
    loop: int = 0,
    **options: Any,
) -> StagedWriter:
    """A writer for ``path``, to use as a context manager; it opens itself at the first frame.

    ``format`` (gif, mp4, webp, apng, png) overrides the suffix; ``png`` (or a path with the
    suffix ``.png`` or none) means a folder of frames. ``loop`` is how many times the animation
    plays: 0 = forever (the default), 1 = once, N = N times; formats that store no loop count
    (``info.loops``: video, frame folders) ignore it. ``fps`` sets the constant frame rate of video
    (default ``info.rate_fps``) and, for a frames folder, repeats each frame for its duration; GIF,
    WebP and APNG store each frame's own duration and ignore it. ``options`` are the format's own
    (``info.options``: MP4's ``crf``, its H.264 quality). The target's folder is checked now, so a
    bad path fails before any rendering starts.
    """
    target_path = Path(path)
    cls = FORMATS[resolve_format(target_path, format)]
    unknown = sorted(set(options) - set(cls.info.options))
    if unknown:
        takers = [name for name, other in FORMATS.items() if unknown[0] in other.info.options]
        raise BadInput(f"{unknown[0]}: only {', '.join(takers) or 'no format'} takes it, not {cls.info.name}")
    check_whole("loop", loop, 0)  # even where the format ignores it: -1 is a mistake everywhere
    writer = cls(target_path, fps=fps, loop=loop if cls.info.loops else 0, **options)
    check_target(cls.target(target_path), folder=cls.info.folder)
    return writer
