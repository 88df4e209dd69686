"""SVG: a folder of frames (one self-contained file a step), or one file that plays them all.

Each file carries the fonts its text uses, subset to the glyphs it needs and embedded as WOFF
(fontTools, which matplotlib already depends on, subsets; WOFF's zlib keeps it small), so the text
is real text (selectable, searchable) that reads the same on a machine without DejaVu. Numbers are
written to a hundredth of a pixel and nothing depends on the clock or on chance, so the same
drawing gives the same bytes.

The animated file holds what every step shares (the background) once, then each step's own shapes
in a group that CSS shows for that step's time; browsers play it wherever an SVG is shown,
``<img>`` included.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from convanim.drawing import RGB, Dot, Drawing, Fill, Op, Point, Stroke, Text, parse_face
from convanim.writers.base import FormatInfo, PageWriter
from convanim.writers.formats import register
from convanim.writers.pngdir import number_files

MIME_TYPE = "image/svg+xml"


def svg_document(drawing: Drawing) -> str:
    """One drawing as a complete SVG document, its fonts embedded."""
    return _document(drawing.width, drawing.height, drawing.background, drawing.ops, _ops(drawing.ops))


def _document(width: int, height: int, background: RGB, ops: Iterable[Op], body: str, style: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xml:space="preserve">\n'
        f"<style>text{{white-space:pre}}{_font_faces(ops)}{style}</style>\n"
        f'<rect width="{width}" height="{height}" fill="{_hex(background)}"/>\n'
        f"{body}</svg>\n"
    )


def _ops(ops: Iterable[Op]) -> str:
    return "".join(map(_op, ops))


def _op(op: Op) -> str:
    if isinstance(op, Fill):
        opacity = "" if op.alpha >= 1 else f' fill-opacity="{_num(op.alpha)}"'
        return f'<path d="{_path(op.polygons, True)}" fill="{_hex(op.colour)}"{opacity}/>\n'
    if isinstance(op, Stroke):
        dash = "" if op.dash is None else (
            f' stroke-dasharray="{_num(op.dash[0])} {_num(op.dash[1])}" stroke-dashoffset="{_num(op.dash[2])}"')
        return (f'<path d="{_path(op.lines, op.closed)}" fill="none" stroke="{_hex(op.colour)}" '
                f'stroke-width="{_num(op.width)}"{dash}/>\n')
    if isinstance(op, Dot):
        return (f'<circle cx="{_num(op.centre[0])}" cy="{_num(op.centre[1])}" r="{_num(op.diameter / 2)}" '
                f'fill="{_hex(op.colour)}"/>\n')
    return (f'<text x="{_num(op.at[0])}" y="{_num(op.at[1])}" font-family="{_family(op.font)}" '
            f'font-size="{_num(op.size)}" fill="{_hex(op.colour)}">{html.escape(op.text, quote=False)}</text>\n')


def _path(shapes: Sequence[Sequence[Point]], closed: bool) -> str:
    end = "Z" if closed else ""
    return "".join("M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in shape) + end for shape in shapes)


def _num(value: float) -> str:
    """A coordinate to a hundredth of a pixel, without trailing zeros (-0 is 0)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _hex(colour: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


# -- fonts -----------------------------------------------------------------------------------------


def _family(font: str) -> str:
    """The CSS family name of an embedded font face: its file's name (and its index in a
    collection), the same in every file."""
    file, index = parse_face(font)
    return f"cv-{Path(file).stem}" + (f"-{index}" if index else "")


def _font_faces(ops: Iterable[Op]) -> str:
    """``@font-face`` rules embedding each font the text uses, subset to its characters."""
    chars: dict[str, set[str]] = {}
    for op in ops:
        if isinstance(op, Text):
            chars.setdefault(op.font, set()).update(op.text)
    return "".join(
        f"@font-face{{font-family:{_family(font)};"
        f"src:url(data:font/woff;base64,{_subset(font, ''.join(sorted(used)))})}}"
        for font, used in sorted(chars.items())
    )


@lru_cache(maxsize=64)
def _subset(font: str, text: str) -> str:
    """``font`` cut down to the glyphs of ``text``, as base64 WOFF."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False  # browsers hint themselves; the hints are most of the bytes
    options.name_IDs = [0, 1, 2]  # the copyright notice and the family names
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: no glyph needs them
    file, options.font_number = parse_face(font)
    face = subset.load_font(file, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(face)
    buffer = io.BytesIO()
    subset.save_font(face, buffer, options)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# -- writers ---------------------------------------------------------------------------------------


@register
class SvgFramesWriter(PageWriter):
    """``name/name_000.svg`` ...: one self-contained SVG a step, as conv_arithmetic ships PDFs."""

    info = FormatInfo("svg", suffixes=(".svg",), mime_type=None, folder=True, vector=True)

    @classmethod
    def target(cls, path: Path) -> Path:
        """``out/conv.svg`` means the folder ``out/conv``."""
        return path.with_suffix("")

    def _page(self, drawing: Drawing, start_ms: int, duration_ms: int) -> None:
        (self.temp / f"{self._frame_count}.svg").write_text(svg_document(drawing), encoding="utf-8")

    def _finish(self) -> list[Path]:
        return number_files(self.temp, self.destination, self._frame_count, ".svg")


class SteppedSvgWriter(PageWriter):
    """One SVG holding every step: what all steps share (the background) once, then each step's
    own shapes in a group ``<g id="s{k}" class="s">``, for a subclass to show one at a time.

    The steps' shapes are kept as text until the end: the background is what all of them share,
    known only when the last has come (a page's drawing starts with the background's shapes).
    """

    _first: tuple[Op, ...] = ()  # the first page's ops
    _shared = 0  # how many of them every page so far starts with
    _page_colour: RGB = (255, 255, 255)

    def _start(self) -> None:
        self._steps: list[tuple[int, list[str], int, int]] = []  # (ops shared with the first, own ops, start, ms)
        self._texts: list[Text] = []  # every step's own text, for the fonts

    def _page(self, drawing: Drawing, start_ms: int, duration_ms: int) -> None:
        ops = drawing.ops
        if not self._first:
            self._first, self._shared, self._page_colour = ops, len(ops), drawing.background
        shared = _common(self._first, ops)
        self._shared = min(self._shared, shared)
        self._texts += [op for op in ops[shared:] if isinstance(op, Text)]
        self._steps.append((shared, [_op(op) for op in ops[shared:]], start_ms, duration_ms))

    def _svg(self, style: str = "", after: str = "") -> str:
        """The document: fonts and ``style``, the shared shapes, a group a step, then ``after``."""
        shared = self._shared
        steps = [[_op(op) for op in self._first[shared:own]] + own_ops for own, own_ops, _, _ in self._steps]
        defs, uses = _reused(steps)
        groups = "".join(f'<g id="s{index}" class="s">\n' + "".join(uses.get(e, e) for e in elements) + "</g>\n"
                         for index, elements in enumerate(steps))
        body = f"<defs>\n{defs}</defs>\n" + _ops(self._first[:shared]) + groups + after
        return _document(*self.size, self._page_colour, [*self._first, *self._texts], body, style)

    def _timings(self) -> list[tuple[int, int]]:
        """(start, duration) of each step, in milliseconds."""
        return [(start, duration) for _, _, start, duration in self._steps]


@register
class AnimatedSvgWriter(SteppedSvgWriter):
    """One SVG file that plays every step for its time, looping ``loop`` times (0: for ever):
    CSS shows each step's group for its time, so it plays wherever an SVG is shown."""

    info = FormatInfo("animated-svg", suffixes=(), mime_type=MIME_TYPE, loops=True, vector=True)

    def _finish(self) -> list[Path]:
        total = self._elapsed_ms
        keyframes = [_keyframes(index, start, start + duration, total)
                     for index, (start, duration) in enumerate(self._timings())]
        plays = "infinite" if self.loop == 0 else str(self.loop)
        style = f".s{{visibility:hidden;animation:{total / 1000:g}s step-end {plays} forwards}}" + "".join(keyframes)
        self.temp.write_text(self._svg(style), encoding="utf-8")
        return [self.destination]


def _reused(steps: list[list[str]]) -> tuple[str, dict[str, str]]:
    """The elements that more than one step draws, defined once (``<defs>``), and the ``<use>``
    that stands for each: a sweep's steps share most of the output grid and the window's lines."""
    counts = Counter(element for elements in steps for element in dict.fromkeys(elements))  # in order
    reused = [element for element, count in counts.items() if count > 1]
    defs = "".join(element.replace(" ", f' id="u{k}" ', 1) for k, element in enumerate(reused))
    return defs, {element: f'<use href="#u{k}"/>\n' for k, element in enumerate(reused)}


def _keyframes(index: int, start_ms: int, end_ms: int, total_ms: int) -> str:
    """CSS that shows step ``index`` from ``start_ms`` to ``end_ms`` of a ``total_ms`` play."""
    on, off = 100 * start_ms / total_ms, 100 * end_ms / total_ms
    frames = {0.0: "hidden", on: "visible", off: "hidden"} if on else {0.0: "visible", off: "hidden"}
    if off >= 100:
        frames[100.0] = "visible"
    rules = "".join(f"{_num(at)}%{{visibility:{shown}}}" for at, shown in sorted(frames.items()))
    return f"#s{index}{{animation-name:k{index}}}@keyframes k{index}{{{rules}}}"


def _common(a: Sequence[Op], b: Sequence[Op]) -> int:
    """How many ops ``a`` and ``b`` start with alike."""
    count = 0
    for x, y in zip(a, b):
        if x is not y and x != y:
            break
        count += 1
    return count
