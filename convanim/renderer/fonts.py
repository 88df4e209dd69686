"""Fonts and cached text masks.

The DejaVu fonts that matplotlib ships cover ⌊ ⌋ · × − and sub/superscript digits, so formulas
need no LaTeX. They are loaded from matplotlib's data folder *without importing matplotlib*
(importing it costs most of a second; finding its folder costs microseconds). Rendered text is
cached as an "L" mask, because the same numbers are drawn on every frame.

Chinese (or any CJK) characters are drawn in a CJK font, and the letters, digits and signs
around them stay DejaVu's, as a browser falls back from one font to the next: numbers read the
same in every language, and signs the CJK font lacks (ᵀ, ⌊, subscripts) still have a glyph. The
CJK font is the system's, found through fontconfig (Debian's fonts-noto-cjk), else the one the
``mplfonts`` package ships (``pip install 'convanim[zh]'``). Only a figure in Chinese looks for
it, so an English figure neither pays for the search nor changes by a byte.
"""

from __future__ import annotations

import importlib.util
import itertools
import shutil
import subprocess
from functools import lru_cache, cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from convanim import drawing
from convanim.errors import MissingBackend
from convanim.words import has_cjk, is_cjk

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


#: What a CJK face is called, best first: the sans faces of simplified Chinese, then any sans.
_CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC", "WenQuanYi Zen Hei",
                 "WenQuanYi Micro Hei", "Droid Sans Fallback")
#: The CJK font the ``mplfonts`` package ships (regular weight only), inside its folder.
_MPLFONTS_FILE = Path("fonts") / "NotoSansCJKsc-Regular.otf"
#: The one line a figure in Chinese says when no CJK font is installed.
CJK_MISSING = ("lang zh: Chinese text needs a CJK font and none is installed: install Debian's fonts-noto-cjk "
               "(apt install fonts-noto-cjk) or pip install 'convanim[zh]'")

#: A font face: its file and its index in the file (a .ttc collection holds several).
Face = tuple[Path, int]


@cache
def cjk_face(bold: bool = False) -> Face:
    """The CJK face figures in Chinese are drawn in; a MissingBackend naming the install if none."""
    found = _fontconfig_face(bold) or _mplfonts_face()
    if found is None:
        raise MissingBackend(CJK_MISSING)
    return found


def _fontconfig_face(bold: bool) -> Face | None:
    """The best simplified-Chinese sans face fontconfig knows, in the weight asked for if it has it."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run([fc_list, "-f", "%{file}\t%{index}\t%{family}\t%{style}\n", ":lang=zh-cn"],
                                capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    faces: list[tuple[int, int, str, int]] = []  # (family's rank, weight's, file, index)
    for line in listed.splitlines():
        file, index, families, styles = (line.split("\t") + ["", "", ""])[:4]
        rank = next((n for n, family in enumerate(_CJK_FAMILIES) if family in families.split(",")), None)
        if rank is not None and index.isdigit() and Path(file).is_file():
            weight = 0 if ("Bold" in styles.split(",")) == bold else 1
            faces.append((rank, weight, file, int(index)))
    if not faces:
        return None
    _, _, file, number = min(faces)
    return Path(file), number


def _mplfonts_face() -> Face | None:
    """The CJK font the ``mplfonts`` package ships, found without importing it."""
    spec = importlib.util.find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        candidate = Path(folder) / _MPLFONTS_FILE
        if candidate.is_file():
            return candidate, 0
    return None


def face_of(text: str, bold: bool = False) -> Face:
    """The face ``text`` is drawn in: DejaVu, or the CJK face when it has CJK characters."""
    return cjk_face(bold) if has_cjk(text) else (font_path(bold), 0)


def face_name(text: str, bold: bool = False) -> str:
    """The face of ``text`` as the vector writers name it (:func:`convanim.drawing.face_name`)."""
    file, index = face_of(text, bold)
    return drawing.face_name(str(file), index)


@lru_cache(maxsize=256)
def font(size_px: int, bold: bool = False, cjk: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at ``size_px`` pixels, or with ``cjk`` the CJK face."""
    file, index = cjk_face(bold) if cjk else (font_path(bold), 0)
    return ImageFont.truetype(str(file), max(1, size_px), index=index)


def font_for(text: str, size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The font ``text`` is drawn in at ``size_px`` pixels (see :func:`face_of`)."""
    return font(size_px, bold, has_cjk(text))


#: A run of text in one font, placed by its baseline's start relative to the text's anchor.
Run = tuple[str, float, float, bool]  # (text, x, y, cjk)


def mixed(text: str) -> bool:
    """Whether ``text`` mixes CJK characters with others, so that it is drawn in runs."""
    return has_cjk(text) and not all(is_cjk(char) for char in text)


@lru_cache(maxsize=1024)
def runs(text: str, size_px: int, bold: bool = False, anchor: str = "la") -> tuple[Run, ...]:
    """``text`` cut into runs of one font each (CJK characters in the CJK font, the rest in
    DejaVu), each placed so that together they stand where Pillow would anchor the whole text:
    horizontally by their total advance, vertically by the CJK font's ascender and descender
    lines, or by the ink for the top and bottom anchors."""
    pieces, x = [], 0.0
    for cjk, chars in itertools.groupby(text, is_cjk):
        chunk = "".join(chars)
        pieces.append((chunk, x, cjk))
        x += font(size_px, bold, cjk).getlength(chunk)
    dx = {"l": 0.0, "m": -x / 2, "r": -x}[anchor[0]]
    ascent, descent = font(size_px, bold, True).getmetrics()
    if anchor[1] in "tb":
        inks = [font(size_px, bold, cjk).getbbox(chunk, anchor="ls") for chunk, _, cjk in pieces]
        dy = -min(box[1] for box in inks) if anchor[1] == "t" else -max(box[3] for box in inks)
    else:
        dy = {"a": ascent, "m": (ascent - descent) / 2, "s": 0.0, "d": -descent}[anchor[1]]
    return tuple((chunk, at + dx, dy, cjk) for chunk, at, cjk in pieces)


#: Lines of a label of several lines are this many text sizes apart.
LINE_SPACING = 1.3


def lines(text: str, size_px: int) -> list[tuple[str, int]]:
    """A label's lines, each with its drop in pixels below the first: the anchor places the first
    line, and the others follow under it, so a panel of lines never runs into itself whatever
    size its text is drawn at."""
    step = round(LINE_SPACING * size_px)
    return [(line, index * step) for index, line in enumerate(text.split("\n"))]


def text_bbox(text: str, size_px: int, bold: bool = False, anchor: str = "la") -> tuple[float, float, float, float]:
    """The ink box of ``text`` around its anchor point, as Pillow's ``getbbox`` gives it (of all
    its lines, when it has several)."""
    if "\n" in text:
        boxes = [(box[0], box[1] + dy, box[2], box[3] + dy)
                 for line, dy in lines(text, size_px) for box in (text_bbox(line, size_px, bold, anchor),)]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    if not mixed(text):
        return font_for(text, size_px, bold).getbbox(text, anchor=anchor)
    boxes = [(x + box[0], y + box[1], x + box[2], y + box[3])
             for chunk, x, y, cjk in runs(text, size_px, bold, anchor)
             for box in (font(size_px, bold, cjk).getbbox(chunk, anchor="ls"),)]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def text_width(text: str, size_px: int, bold: bool = False) -> float:
    """Advance width of ``text`` in pixels."""
    if not mixed(text):
        return font_for(text, size_px, bold).getlength(text)
    last, x, _, cjk = runs(text, size_px, bold)[-1]
    return x + font(size_px, bold, cjk).getlength(last)


@lru_cache(maxsize=512)  # bounded: captions that change every step must not pile up
def text_mask(text: str, size_px: int, bold: bool, anchor: str) -> tuple[Image.Image, int, int]:
    """``text`` rendered as an "L" coverage mask, with the offset of its top-left corner from
    the anchor point (Pillow's two-letter anchors)."""
    left, top, right, bottom = (int(v) for v in text_bbox(text, size_px, bold, anchor))  # whole pixels
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)))
    draw = ImageDraw.Draw(mask)
    for line, dy in lines(text, size_px):
        if mixed(line):
            for chunk, x, y, cjk in runs(line, size_px, bold, anchor):
                draw.text((x - left, y + dy - top), chunk, fill=255, font=font(size_px, bold, cjk), anchor="ls")
        else:
            draw.text((-left, dy - top), line, fill=255, font=font_for(line, size_px, bold), anchor=anchor)
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


#: Punctuation that never starts a line of Chinese: it stays with the character before it.
_NO_LINE_START = set("，。、：；！？）」』》〉")


def wrap(text: str, size_px: int, width_px: float, bold: bool = False) -> list[str]:
    """Greedy word wrap of ``text`` to lines no wider than ``width_px`` (explicit newlines kept);
    Chinese breaks between any two characters, except before closing punctuation."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for glue, word in _words(paragraph):
            trial = f"{line}{glue}{word}" if line else word
            if line and text_width(trial, size_px, bold) > width_px:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def _words(paragraph: str) -> list[tuple[str, str]]:
    """The units a line may break between, each with what joins it to the one before: words
    joined by a space, and in Chinese every character (with its trailing punctuation) joined by
    nothing."""
    if not has_cjk(paragraph):
        return [(" ", word) for word in paragraph.split(" ")]
    words: list[tuple[str, str]] = []
    glue = ""
    for char in paragraph:
        if char == " ":
            glue = " "
        elif words and (char in _NO_LINE_START or not (is_cjk(char) or is_cjk(words[-1][1][-1])) and not glue):
            words[-1] = (words[-1][0], words[-1][1] + char)
        else:
            words.append((glue, char))
            glue = ""
    return words
