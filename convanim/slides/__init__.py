"""Figures into slides and pages: a PPTX deck, a self-contained HTML deck, Beamer, a gallery.

Every output here starts the same way: each scene is built once (its timeline carries the title
and caption) and rendered through :func:`convanim.api.render`, then a small writer places the
rendered files. The writers never draw or re-encode: a slide embeds the rendered file byte for
byte. The title and caption leave the picture and become the slide's own text.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from convanim import api
from convanim.drawing import is_dark
from convanim.picture import Timeline
from convanim.registry import SceneEntry, resolve

# The writers (numpy, Pillow) are imported where used, so that the command line can read
# DECK_FORMATS at start-up for free.

#: Deck formats by the suffix of ``-o``; for Beamer, ``-o`` is its main ``.tex`` file or the
#: folder of its files (which only ``--format beamer`` can tell).
DECK_SUFFIXES = {".pptx": "pptx", ".html": "html", ".htm": "html", ".tex": "beamer"}
DECK_FORMATS = ("pptx", "html", "beamer")
#: A deck's figure size by default: each figure on a canvas of its slide's picture area, so a
#: tall figure fills the slide's height with text sized for it (see convanim.slides.layout).
SLIDE_SIZE = "slide"


@dataclass(frozen=True)
class Figure:
    """One rendered figure, ready to place: the only thing deck writers see.

    ``media`` is the animation (GIF or MP4) whose bytes are embedded unchanged; ``poster`` a PNG
    still of its last frame, shown when the animation is paused and as a video's poster frame.
    ``background`` is the figure's own background colour (its corner pixel), so that a slide or
    page around a light or dark figure matches it without knowing the theme. ``page``, when
    rendered, is the figure's interactive page (``-o fig.html``), which an HTML deck shows in
    place of the animation.
    """

    name: str
    title: str
    caption: str
    media: Path
    poster: Path
    background: tuple[int, int, int] = (255, 255, 255)
    page: Path | None = None

    @property
    def dark(self) -> bool:
        """Whether text beside the figure should be light (by the background's luminance)."""
        return is_dark(self.background)

    @property
    def is_video(self) -> bool:
        return _is_video(self.media)


def entries_for(targets: Sequence[str]) -> list[SceneEntry]:
    """Every scene the targets name (a name, ``file.py`` or ``file.py:name``), in order."""
    if not targets:
        raise ValueError("targets: name at least one scene (see `convanim list`)")
    return [entry for target in targets for entry in resolve(target)]


def caption_of(timeline: Timeline, description: str = "") -> str:
    """The caption with the output-size formula under it, as a figure's text under the picture.

    A figure told in phases has no caption of its own (each phase's is on its steps, which a bare
    figure does not draw): the scene's one-line ``description`` stands in for it.
    """
    background = timeline.background
    return "\n".join(text for text in (background.caption, background.formula) if text) or description


def render_figures(
    entries: Sequence[SceneEntry], media_dir: Path, *, video: bool = False, pages: bool = False, **options: Any
) -> list[Figure]:
    """Render each scene once into ``media_dir`` (GIF, or MP4 with ``video``) plus its poster,
    and with ``pages`` its interactive page too.

    The frames carry no text (the bare figure); the Figure carries it instead.
    """
    suffix = "mp4" if video else "gif"
    figures = []
    for entry in entries:
        timeline = entry.timeline(options.get("lang", "en"))
        sized = slide_options(options, caption_of(timeline, entry.description))
        media = api.render(timeline, media_dir / f"{entry.name}.{suffix}", format=suffix, bare=True, **sized)
        poster = media_dir / f"{entry.name}_poster.png"
        figure = figure_of(entry.name, timeline, media, poster, entry.description)
        if pages:
            page = api.render(timeline, media_dir / f"{entry.name}.html", format="html", bare=True, **sized)
            figure = replace(figure, page=page)
        figures.append(figure)
    return figures


def slide_options(options: dict[str, Any], caption: str) -> dict[str, Any]:
    """``options`` with :data:`SLIDE_SIZE` (the default) made the canvas of the slide that
    ``caption`` leaves room for."""
    from convanim.slides.layout import slide_layout

    if options.get("size", SLIDE_SIZE) != SLIDE_SIZE:
        return options
    return {**options, "size": slide_layout(caption).canvas_px()}


def title_of(name: str, timeline: Timeline) -> str:
    """The figure's title: its timeline's, or the scene's name when it has none."""
    return timeline.background.title or name


def figure_of(name: str, timeline: Timeline, media: Path, poster: Path, description: str = "") -> Figure:
    """The Figure of scene ``name`` rendered to ``media``, its poster still saved to ``poster``
    (``description``: the scene's, a caption for a figure without one)."""
    background = save_poster(media, poster)
    caption = caption_of(timeline, description)
    return Figure(name, title_of(name, timeline), caption, media, poster, background)


def save_poster(media: Path, out: Path) -> tuple[int, int, int]:
    """Write the animation's last frame to ``out`` as a PNG and return its corner colour.

    The last frame shows the finished computation, the most telling still.
    """
    from PIL import Image

    if _is_video(media):
        import imageio_ffmpeg

        frames = imageio_ffmpeg.read_frames(str(media))
        size = next(frames)["size"]
        last = b""
        for last in frames:  # noqa: B007 -- keep the final frame of the stream
            pass
        still = Image.frombytes("RGB", size, last)
    else:
        with Image.open(media) as image:
            image.seek(getattr(image, "n_frames", 1) - 1)
            still = image.convert("RGB")
    corner = cast(tuple[int, int, int], still.getpixel((0, 0)))  # an RGB image: a 3-tuple
    if still.getcolors(256) is not None:  # few colours (a GIF): a palette PNG, exact and smaller
        still = still.quantize(colors=256)
    still.save(out, format="PNG", optimize=True)
    return corner


def _is_video(media: Path) -> bool:
    """Whether a rendered file is video (its format's record says), to embed or decode it as one."""
    from convanim.writers import format_of

    info = format_of(media)
    return info is not None and info.video


def deck_format(out: Path, format: str | None) -> str:
    """The deck format: given explicitly, or from the suffix of ``out`` (never guessed).

    A suffix that names another deck format than the one given is refused: ``-o talk.html
    --format pptx`` would write a PowerPoint file that no browser opens under that name.
    """
    found = DECK_SUFFIXES.get(out.suffix.lower())
    if format is not None:
        if format not in DECK_FORMATS:
            raise ValueError(f"format: {format!r} is not one of {', '.join(DECK_FORMATS)}")
        if found is not None and found != format:
            raise ValueError(f"out: the suffix of {str(out)!r} is for {found}, not {format}; "
                             "make the suffix and --format agree, or leave --format out")
        return format
    if found is None:
        raise ValueError(
            f"out: cannot tell the deck format from {str(out)!r}; "
            "use a .pptx, .html or .tex name, or --format beamer with a folder"
        )
    return found


def make_slides(
    targets: Sequence[str],
    out: str | Path,
    *,
    format: str | None = None,
    video: bool = False,
    frames: str | None = None,
    **options: Any,
) -> Path:
    """Render the named scenes into one deck at ``out`` and return its path.

    ``format`` is ``pptx``, ``html`` or ``beamer``, by default from the suffix of ``out``; for
    Beamer ``out`` is the deck's ``.tex`` file (its figures go beside it) or a folder that gets
    ``deck.tex``. ``video`` embeds MP4 instead of GIF (PPTX and HTML). ``frames`` is what a Beamer
    deck's figures are made of: ``pdf`` (the default, vector pages) or ``png`` frames.
    ``options`` are :func:`convanim.api.render`'s (size, scale, fps, theme, loop, hold_ms, smooth).
    """
    out = Path(out)
    kind = deck_format(out, format)
    entries = entries_for(targets)
    if kind == "beamer":
        if video:
            raise ValueError("video: Beamer decks animate PDF pages or PNG frames; drop --video")
        from convanim.slides.beamer import DECK_NAME, write_beamer

        folder, name = (out.parent, out.name) if out.suffix.lower() == ".tex" else (out, DECK_NAME)
        return write_beamer(entries, folder, deck_name=name, frames=frames or "pdf", **options)
    if frames is not None:
        raise ValueError(f"frames: only a Beamer deck takes --frames (its figures' pdf or png); not {kind}")
    from convanim.writers.staging import check_target

    writer = _deck_writer(kind)  # before rendering: a missing extra fails at once
    check_target(out)  # and so does an unwritable path
    with tempfile.TemporaryDirectory(prefix="convanim-slides-") as media_dir:
        pages = kind == "html" and not video  # an HTML deck steps through each figure with its player
        figures = render_figures(entries, Path(media_dir), video=video, pages=pages, **options)
        return writer(figures, out)


def write_text(path: Path, text: str) -> Path:
    """Write a UTF-8 text file atomically: a reader never sees half a page or half a deck."""
    from convanim.writers import atomic_target

    with atomic_target(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return path


def _deck_writer(kind: str) -> Any:
    if kind == "pptx":
        from convanim.slides.pptx import require_pptx, write_pptx

        require_pptx()
        return write_pptx
    from convanim.slides.html import write_html

    return write_html


__all__ = [
    "DECK_FORMATS",
    "SLIDE_SIZE",
    "Figure",
    "caption_of",
    "deck_format",
    "entries_for",
    "figure_of",
    "make_slides",
    "render_figures",
    "save_poster",
    "slide_options",
    "title_of",
    "write_text",
]
