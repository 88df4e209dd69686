"""A PowerPoint deck: one 16:9 slide per figure, its title, the animation sized to fit, its caption.

python-pptx is an optional extra (``convanim[slides]``) so that the core install stays small.
The GIF or MP4 goes in as the rendered bytes (PowerPoint plays both in a slide show); only its
placement is computed here. The same figures give the same bytes on every run: the deck's dates
(its zip entries', its core properties') are one fixed date, not the time of writing.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from convanim.errors import MissingBackend
from convanim.slides import Figure
from convanim.slides.layout import (EMU_PER_POINT, INSET_EMU, SLIDE_HEIGHT_EMU, SLIDE_WIDTH_EMU, Box,
                                    slide_layout)
from convanim.checks import printable
from convanim.writers import atomic_target

#: Title sizes to try, largest first; the first at which the title fits on one line is used.
TITLE_POINTS = (32, 28, 24, 20)
#: A typical glyph width in ems: Calibri (the template's font) is near 0.5, its usual stand-ins wider.
GLYPH_WIDTH_EM = 0.6
TITLE_LAYOUT = 5  # "Title Only" in python-pptx's default template: a real title placeholder
#: The date of every deck and of every file in it: the earliest a zip entry can carry.
FIXED_DATE = datetime(1980, 1, 1)

#: A slide's timing as PowerPoint writes it for a video set to start automatically and to loop
#: until stopped: the main sequence plays it from the start as the slide begins (an after-effect
#: with no delay, where python-pptx's own timing waits for a click), and its media node repeats
#: for ever. ``{shape}`` is the video's shape id, ``{ms}`` its length.
VIDEO_TIMING = """<p:timing {ns}><p:tnLst><p:par>
<p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>
<p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>
<p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/>
<p:cond evt="onBegin" delay="0"><p:tn val="2"/></p:cond></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="4" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold" nodeType="afterEffect">
<p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:cmd type="call" cmd="playFrom(0.0)"><p:cBhvr><p:cTn id="6" dur="{ms}" fill="hold"/>
<p:tgtEl><p:spTgt spid="{shape}"/></p:tgtEl></p:cBhvr></p:cmd>
</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>
</p:childTnLst></p:cTn>
<p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:prevCondLst>
<p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:nextCondLst></p:seq>
<p:video><p:cMediaNode vol="80000"><p:cTn id="7" repeatCount="indefinite" fill="hold" display="0">
<p:stCondLst><p:cond delay="indefinite"/></p:stCondLst></p:cTn>
<p:tgtEl><p:spTgt spid="{shape}"/></p:tgtEl></p:cMediaNode></p:video>
</p:childTnLst></p:cTn></p:par></p:tnLst></p:timing>"""


def require_pptx() -> None:
    """Fail with the install command when python-pptx is missing."""
    try:
        import pptx  # noqa: F401
    except ImportError as exc:
        raise MissingBackend(
            "PPTX output needs python-pptx: pip install 'convanim[slides]' "
            "(in a checkout of convanim: pip install '.[slides]')"
        ) from exc


def write_pptx(figures: Sequence[Figure], out: Path) -> Path:
    """Write one slide per figure to ``out`` (atomically) and return it."""
    require_pptx()
    from pptx import Presentation
    from pptx.util import Emu

    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(SLIDE_WIDTH_EMU), Emu(SLIDE_HEIGHT_EMU)
    for figure in figures:
        _add_slide(deck, figure)
    deck.core_properties.created = deck.core_properties.modified = FIXED_DATE
    package = io.BytesIO()
    deck.save(package)
    with atomic_target(out) as temp:
        temp.write_bytes(_dated_alike(package.getvalue()))
    return out


def _dated_alike(package: bytes) -> bytes:
    """The zip ``package`` again, every entry dated :data:`FIXED_DATE` with the same attributes.

    python-pptx stamps each entry with the time of saving; its order of entries is already fixed
    (``[Content_Types].xml`` first, then the parts as the relationships reach them) and is kept.
    """
    rewritten = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(rewritten, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_DATE.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # as Office writes it, and the same on every platform
            target.writestr(info, source.read(entry))
    return rewritten.getvalue()


def _add_slide(deck: Any, figure: Figure) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    _paint_background(slide, figure)
    layout = slide_layout(figure.caption)
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = layout.title
    title.text = printable(figure.title)
    _style_text(title, title_points(figure.title, layout.title[2]), figure)
    if figure.caption:
        caption = slide.shapes.add_textbox(*layout.caption)
        frame = caption.text_frame
        frame.word_wrap = True
        frame.margin_top = frame.margin_bottom = INSET_EMU
        frame.text = printable(figure.caption)
        _style_text(caption, layout.caption_points, figure)
    _add_media(slide, figure, layout.media_area)


def _add_media(slide: Any, figure: Figure, area: Box) -> None:
    """The animation, as large as fits in ``area`` with its own proportions, and its alt text."""
    left, top, width, height = fit(_pixel_size(figure.poster), area)
    if figure.is_video:
        media = slide.shapes.add_movie(
            str(figure.media), left, top, width, height,
            poster_frame_image=str(figure.poster), mime_type="video/mp4",
        )
        _play_with_the_slide_and_loop(slide, media.shape_id, _length_ms(figure.media))
    else:
        media = slide.shapes.add_picture(str(figure.media), left, top, width, height)
    # Alt text for screen readers; python-pptx has no public setter for it.
    media._element.xpath("./*[1]/p:cNvPr")[0].set("descr", printable(f"{figure.title}. {figure.caption}"))


def _play_with_the_slide_and_loop(slide: Any, shape_id: int, length_ms: int) -> None:
    """Replace python-pptx's timing (play on a click, once) with :data:`VIDEO_TIMING`, so a video
    deck moves like the GIF deck does: from the moment the slide shows, over and over."""
    from pptx.oxml import parse_xml
    from pptx.oxml.ns import nsdecls, qn

    element = slide._element
    for old in element.findall(qn("p:timing")):
        element.remove(old)
    timing = parse_xml(VIDEO_TIMING.replace("\n", "").format(ns=nsdecls("p"), shape=shape_id, ms=length_ms))
    # The schema's order: cSld, clrMapOvr, transition, timing, extLst.
    ext = element.find(qn("p:extLst"))
    if ext is None:
        element.append(timing)
    else:
        ext.addprevious(timing)


def _length_ms(video: Path) -> int:
    """A video's length in milliseconds, as its container states it."""
    import imageio_ffmpeg

    frames = imageio_ffmpeg.read_frames(str(video))
    try:
        return round(next(frames)["duration"] * 1000)
    finally:
        frames.close()


def _style_text(shape: Any, points: int, figure: Figure) -> None:
    """Centred text of the given size, light on a dark figure's background and dark on a light."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN

    colour = RGBColor(0xF2, 0xF2, 0xF2) if figure.dark else RGBColor(0x1A, 0x1A, 0x1A)
    for paragraph in shape.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.CENTER
        paragraph.font.size = points * EMU_PER_POINT
        paragraph.font.color.rgb = colour


def _paint_background(slide: Any, figure: Figure) -> None:
    """Give the slide the figure's own background so the animation sits on it seamlessly."""
    from pptx.dml.color import RGBColor

    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = RGBColor(*figure.background)


def title_points(title: str, width_emu: int) -> int:
    """The largest title size at which ``title`` fits on one line (the smallest if none does).

    Measured by a typical glyph width, as python-pptx cannot measure text without font files.
    """
    width_points = width_emu / EMU_PER_POINT
    fitting = [size for size in TITLE_POINTS if len(title) * size * GLYPH_WIDTH_EM <= width_points]
    return fitting[0] if fitting else TITLE_POINTS[-1]


def _pixel_size(image: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(image) as opened:
        return opened.size


def fit(size_px: tuple[int, int], area: Box) -> Box:
    """The largest box with the image's aspect ratio inside ``area``, centred in it."""
    width_px, height_px = size_px
    if width_px <= 0 or height_px <= 0:
        raise ValueError(f"size_px: an image needs a positive width and height, got {size_px}")
    left, top, area_width, area_height = area
    scale = min(area_width / width_px, area_height / height_px)
    width, height = round(width_px * scale), round(height_px * scale)
    return left + (area_width - width) // 2, top + (area_height - height) // 2, width, height
