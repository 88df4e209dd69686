"""Fonts and cached text masks.

The DejaVu fonts that matplotlib ships cover ⌊ ⌋ · × − and sub/superscript digits, so formulas
need no LaTeX. They are loaded from matplotlib's data folder *without importing matplotlib*
(importing it costs most of a second; finding its folder costs microseconds). Rendered text is
cached as an "L" mask, because the same numbers are drawn on every frame.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache, cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
_SYSTEM_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF"))


def _font_dirs() -> list[Path]:
    """matplotlib's bundled TrueType folder first, then common system locations."""
    dirs = []
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        dirs += [Path(p) / "mpl-data" / "fonts" / "ttf" for p in spec.submodule_search_locations]
    return dirs + list(_SYSTEM_DIRS)


@cache
def font_path(bold: bool = False) -> Path:
    """Path of DejaVu Sans (bold or regular); raises if no copy can be found."""
    for folder in _font_dirs():
        candidate = folder / _FILES[bold]
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{_FILES[bold]} not found (install matplotlib or fonts-dejavu)")


@lru_cache(maxsize=256)
def font(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at ``size_px`` pixels."""
    return ImageFont.truetype(str(font_path(bold)), max(1, size_px))


def text_width(text: str, size_px: int, bold: bool = False) -> float:
    """Advance width of ``text`` in pixels."""
    return font(size_px, bold).getlength(text)


@lru_cache(maxsize=512)  # bounded: captions that change every step must not pile up
def text_mask(text: str, size_px: int, bold: bool, anchor: str) -> tuple[Image.Image, int, int]:
    """``text`` rendered as an "L" coverage mask, with the offset of its top-left corner from
    the anchor point (Pillow's two-letter anchors)."""
    face = font(size_px, bold)
    left, top, right, bottom = (int(v) for v in face.getbbox(text, anchor=anchor))  # whole pixels
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)))
    ImageDraw.Draw(mask).text((-left, -top), text, fill=255, font=face, anchor=anchor)
    return mask, left, top


def draw_text(
    image: Image.Image, at: tuple[float, float], text: str, size_px: int, colour: int | tuple[int, int, int],
    *, bold: bool = False, anchor: str = "mm",
) -> None:
    """Paste cached ``text`` in ``colour`` onto ``image`` with its anchor at ``at``."""
    if not text:
        return
    mask, left, top = text_mask(text, size_px, bold, anchor)
    image.paste(colour, (round(at[0]) + left, round(at[1]) + top), mask)


def text_box(
    at: tuple[float, float], text: str, size_px: int, *, bold: bool = False, anchor: str = "mm"
) -> tuple[int, int, int, int]:
    """The pixels (x0, y0, x1, y1, end exclusive) that :func:`draw_text` may change."""
    mask, left, top = text_mask(text, size_px, bold, anchor)
    x, y = round(at[0]) + left, round(at[1]) + top
    return x, y, x + mask.width, y + mask.height


def wrap(text: str, size_px: int, width_px: float, bold: bool = False) -> list[str]:
    """Greedy word wrap of ``text`` to lines no wider than ``width_px`` (explicit newlines kept)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width(trial, size_px, bold) > width_px:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines
