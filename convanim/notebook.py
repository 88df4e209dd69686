"""Animations inline in Jupyter: ``convanim.show("basics")`` renders and displays a figure.

The result holds the rendered file's bytes, so it displays without leaving a file behind, and
``.save(path)`` writes exactly those bytes. Jupyter keeps displayed output inside the notebook
file, so a large animation bloats every save of the notebook: that earns a warning.
"""

from __future__ import annotations

import base64
import html
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

from convanim import api
from convanim.picture import Timeline
from convanim.registry import SceneEntry
from convanim.core.spec import ConvSpec
from convanim.errors import BadInput
from convanim.writers import FORMATS, atomic_target, format_info
from convanim.core.notation import describe

#: Above this size a displayed animation makes the notebook file heavy enough to warn about.
WARN_BYTES = 20_000_000
#: The height an interactive page needs under its figure (controls and the sum panel), in pixels.
PLAYER_PX = 150
#: MIME types Jupyter shows natively as images; other formats are shown inside HTML it renders.
NATIVE_IMAGES = frozenset({"image/gif", "image/png"})


class Animation:
    """A rendered animation, displayed inline by Jupyter (GIF as an image, MP4 as HTML5 video)."""

    def __init__(self, data: bytes, format: str, name: str = "figure") -> None:
        _check_format(format)
        self.data = data
        self.format = format
        self.name = name

    @property
    def mime_type(self) -> str:
        return _inline_mime_type(self.format)

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> dict[str, str]:
        """GIF and APNG as images Jupyter shows natively; MP4 and WebP inside HTML it renders; an
        interactive page in a frame of its own, so its script and ids meet no other output's."""
        plain = repr(self)
        label = html.escape(self.name, quote=True)
        if self.format == "html":
            page = self.data.decode("utf-8")
            found = re.search(r'<svg [^>]*height="(\d+)"', page)
            height = (int(found.group(1)) if found else 400) + PLAYER_PX
            markup = (f'<iframe srcdoc="{html.escape(page, quote=True)}" title="{label}" '
                      f'style="width:100%;height:{height}px;border:0"></iframe>')
            return {"text/html": markup, "text/plain": plain}
        encoded = base64.b64encode(self.data).decode("ascii")
        if self.mime_type in NATIVE_IMAGES:
            return {self.mime_type: encoded, "text/plain": plain}
        source = f"data:{self.mime_type};base64,{encoded}"
        if format_info(self.format).video:
            markup = (
                f'<video src="{source}" aria-label="{label}" '
                "autoplay loop muted playsinline controls></video>"
            )
        else:
            markup = f'<img src="{source}" alt="{label}">'
        return {"text/html": markup, "text/plain": plain}

    def save(self, path: str | Path) -> Path:
        """Write the animation's bytes to ``path`` (atomically); the suffix must match the format."""
        out = Path(path)
        if out.suffix.lower() != f".{self.format}":
            raise ValueError(
                f"path must end in .{self.format} for this {self.format} animation, got {str(out)!r}"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_target(out) as temp:
            temp.write_bytes(self.data)
        return out

    def __repr__(self) -> str:
        return f"<convanim Animation {self.name!r}: {self.format}, {len(self.data):,} bytes>"


def show(
    target: str | SceneEntry | Timeline | ConvSpec, *, format: str | None = None, interactive: bool = False,
    **options: Any,
) -> Animation:
    """Render a scene or a custom convolution for inline display in Jupyter.

    ``target`` is a scene name, ``file.py[:name]``, a SceneEntry, a Timeline, or a ConvSpec
    (drawn like ``convanim custom``; then ``numbers`` and ``title`` are accepted too).
    ``format`` is gif (default), mp4, webp, apng, svg (the SVG that plays, sharp at any zoom) or
    html, the interactive page (to step through and hover), which ``interactive`` asks for too;
    ``options`` are :func:`convanim.api.render`'s.
    Warns when the file exceeds ``WARN_BYTES``.
    """
    if not isinstance(interactive, bool):
        raise BadInput(f"interactive: expected True or False, got {interactive!r}")
    if interactive and format not in (None, "html"):
        raise BadInput(f"interactive: the interactive page is html, not {format}; leave format out")
    format = "html" if interactive else format or "gif"
    _check_format(format)  # before rendering, so a bad format costs nothing
    with tempfile.TemporaryDirectory(prefix="convanim-show-") as folder:
        out = Path(folder) / f"figure.{format}"
        written = INLINE_NAMES.get(format, format)
        if isinstance(target, ConvSpec):
            path = api.custom(target, out, format=written, **options)
        else:
            path = api.render(target, out, format=written, **options)
        data = path.read_bytes()
    if len(data) > WARN_BYTES:
        warnings.warn(
            f"the {format} animation is {len(data) / 1e6:.1f} MB and will be stored in the "
            "notebook; pass a smaller size or fps, or save it and link to the file",
            stacklevel=2,
        )
    return Animation(data, format, _name_of(target))


#: Formats shown under another name: ``svg`` in a notebook is the SVG that plays (one file), not
#: a folder of frames.
INLINE_NAMES = {"svg": "animated-svg"}


def _check_format(format: str) -> None:
    """Refuse a format that does not display inline (a frames folder, a PDF, an unknown name)."""
    _inline_mime_type(format)


def _inline_formats() -> list[str]:
    """The formats :func:`show` takes: one file a browser shows as a picture, a video or a page."""
    names = [name for name, writer in FORMATS.items() if not writer.info.folder
             and (writer.info.mime_type or "").startswith(("image/", "video/", "text/html"))
             and name not in INLINE_NAMES.values()]
    return [*names, *INLINE_NAMES]


def _inline_mime_type(format: str) -> str:
    """The MIME type a format is displayed with; BadInput for one that does not display."""
    shown = _inline_formats()
    if format not in shown:
        raise BadInput(f"format must be one of {', '.join(shown)}, got {format!r}")
    mime_type = format_info(INLINE_NAMES.get(format, format)).mime_type
    assert mime_type is not None  # chosen above
    return mime_type


def _name_of(target: str | SceneEntry | Timeline | ConvSpec) -> str:
    """A short label for repr and alt text."""
    if isinstance(target, SceneEntry):
        return target.name
    if isinstance(target, Timeline):
        return target.background.title or "figure"
    if isinstance(target, ConvSpec):
        return describe(target)
    return str(target)
