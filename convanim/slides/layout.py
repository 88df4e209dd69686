"""Where a slide's title, figure and caption go: measured, so that a long caption fits.

Shared by every deck: the PPTX writer places its boxes here, and the figures of every deck format
are rendered on a canvas of the picture area's proportions, so a tall figure (depthwise-separable)
fills the slide's height with its text sized for it, instead of being shrunk to fit a README's
width. Text is measured with DejaVu Sans, the renderer's font, which is wider than Calibri (the
PPTX template's) and is what LibreOffice shows in its place when Calibri is missing: what fits in
DejaVu fits in either.
"""

from __future__ import annotations

from dataclasses import dataclass

from convanim.renderer import fonts

#: The standard 16:9 widescreen slide (13.333 x 7.5 in) in EMU, PowerPoint's length unit.
SLIDE_WIDTH_EMU = 12_192_000
SLIDE_HEIGHT_EMU = 6_858_000
EMU_PER_INCH = 914_400
EMU_PER_POINT = 12_700
MARGIN_EMU = EMU_PER_INCH * 4 // 10
TITLE_HEIGHT_EMU = EMU_PER_INCH * 9 // 10
#: A text box's inner margin at the top and bottom (python-pptx's default: 0.05 in).
INSET_EMU = EMU_PER_INCH // 20
#: Caption sizes to try, largest first: the first whose lines fit :data:`CAPTION_SHARE` is used.
CAPTION_POINTS = (18, 16, 14, 12)
#: The most of the slide's height a caption takes; the figure keeps the rest.
CAPTION_SHARE = 0.3
#: Line height over the font size: PowerPoint's single spacing for these fonts is about 1.2.
LINE_SPACING = 1.2
#: Pixels per inch of the canvas a deck renders a figure on: the slide's size on a 96 dpi screen.
CANVAS_PPI = 96
#: Measuring resolution: glyph widths at 4 px per point keep the hinting's rounding small.
_PX_PER_POINT = 4

Box = tuple[int, int, int, int]  # left, top, width, height in EMU


@dataclass(frozen=True)
class SlideLayout:
    """The boxes of one slide, in EMU, and the caption's size and lines as measured."""

    title: Box
    caption: Box
    caption_points: int
    caption_lines: tuple[str, ...]
    media_area: Box

    def canvas_px(self) -> tuple[int, int]:
        """The canvas a figure for this slide is rendered on: the picture area at 96 dpi."""
        _, _, width, height = self.media_area
        return (round(width * CANVAS_PPI / EMU_PER_INCH), round(height * CANVAS_PPI / EMU_PER_INCH))


def caption_lines(caption: str, points: int, width_emu: int) -> list[str]:
    """The caption's lines at ``points`` in a box ``width_emu`` wide, as its words wrap."""
    if not caption:
        return []
    width_px = width_emu / EMU_PER_POINT * _PX_PER_POINT
    return fonts.wrap(caption, points * _PX_PER_POINT, width_px)


def caption_height_emu(lines: int, points: int) -> int:
    """The height of a text box holding ``lines`` lines at ``points``, insets included."""
    return round(lines * points * LINE_SPACING * EMU_PER_POINT) + 2 * INSET_EMU


def slide_layout(caption: str) -> SlideLayout:
    """Title at the top, caption at the bottom as tall as its lines, the figure between them."""
    content_width = SLIDE_WIDTH_EMU - 2 * MARGIN_EMU
    title = (MARGIN_EMU, MARGIN_EMU // 2, content_width, TITLE_HEIGHT_EMU)
    text_width = content_width - 2 * 2 * INSET_EMU  # left and right insets are 0.1 in
    room = CAPTION_SHARE * SLIDE_HEIGHT_EMU
    for points in CAPTION_POINTS:
        lines = caption_lines(caption, points, text_width)
        if caption_height_emu(len(lines), points) <= room:
            break
    height = caption_height_emu(len(lines), points) if lines else 0
    caption_top = SLIDE_HEIGHT_EMU - MARGIN_EMU // 2 - height
    area_top = title[1] + TITLE_HEIGHT_EMU
    return SlideLayout(
        title=title,
        caption=(MARGIN_EMU, caption_top, content_width, height),
        caption_points=points,
        caption_lines=tuple(lines),
        media_area=(MARGIN_EMU, area_top, content_width, caption_top - area_top),
    )
