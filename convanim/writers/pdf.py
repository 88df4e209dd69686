"""PDF: one page a step, as conv_arithmetic ships its figures for papers, handouts and Beamer.

matplotlib's PDF backend does the writing, driven without pyplot: each drawing becomes a Figure of
its size in points (one pixel, one point) holding a patch per filled shape and stroke and a text
per text run. matplotlib is a dependency already, and this is the work it is good at: a compact
PDF with the fonts embedded as subset TrueType (Type 42), so text stays text, selectable and
searchable, with its ToUnicode map. The creation date is left out, so the same drawings give the
same bytes.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from convanim.drawing import RGB, Dot, Drawing, Fill, Point, Stroke, Text, parse_face
from convanim.writers.base import FormatInfo, PageWriter
from convanim.writers.formats import register

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: matplotlib's settings while it draws: TrueType fonts embedded whole-glyph (Type 42, text stays
#: text), dashes in pixels as given (not scaled by the line width), no clock in the file.
_RC: dict[str, Any] = {"pdf.fonttype": 42, "lines.scale_dashes": False, "pdf.compression": 6}
_METADATA = {"CreationDate": None, "Creator": "convanim"}


@register
class PdfWriter(PageWriter):
    """``name.pdf``: a page a step, in the order given."""

    info = FormatInfo("pdf", suffixes=(".pdf",), mime_type="application/pdf", vector=True)

    def _start(self) -> None:
        import matplotlib
        from matplotlib.backends.backend_pdf import PdfPages

        self._rc = matplotlib.rc_context(_RC)  # type: ignore[arg-type]
        self._rc.__enter__()
        self._faces = _Faces()
        self._pdf = PdfPages(self.temp, metadata=_METADATA)

    def _page(self, drawing: Drawing, start_ms: int, duration_ms: int) -> None:
        self._pdf.savefig(figure(drawing, self._faces.files(drawing)))

    def _finish(self) -> list[Path]:
        self._close()
        return [self.destination]

    def _abort(self) -> None:
        self._close()

    def _close(self) -> None:
        pdf, rc, faces = (self.__dict__.pop(key, None) for key in ("_pdf", "_rc", "_faces"))
        try:
            if pdf is not None:
                pdf.close()
        finally:
            if faces is not None:
                faces.close()
            if rc is not None:
                rc.__exit__(None, None, None)


class _Faces:
    """Font files matplotlib can read for the faces a drawing names.

    A face inside a collection (a .ttc, as Debian ships its CJK fonts) is one matplotlib cannot
    pick, so it is cut out with fontTools, subset to the characters the pages use so far, into a
    folder of the writer's own that goes when it closes. matplotlib embeds the fonts only when
    the file closes, so a subset grown for a later page is a new file, and the earlier ones stay.
    """

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._made: dict[str, tuple[frozenset[str], str]] = {}  # face -> (characters, file)

    def files(self, drawing: Drawing) -> dict[str, str]:
        """The file to give matplotlib for each face of ``drawing``'s text."""
        wanted: dict[str, set[str]] = {}
        for op in drawing.ops:
            if isinstance(op, Text):
                wanted.setdefault(op.font, set()).update(op.text)
        return {face: self._file(face, chars) for face, chars in wanted.items()}

    def _file(self, face: str, chars: set[str]) -> str:
        file, index = parse_face(face)
        if not index:
            return file
        known, made = self._made.get(face, (frozenset(), ""))
        if chars <= known:
            return made
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="convanim-fonts-")
        known |= chars
        made = str(Path(self._folder.name) / f"{Path(file).stem}-{index}-{len(self._made)}-{len(known)}.otf")
        _cut(file, index, "".join(sorted(known)), made)
        self._made[face] = (known, made)
        return made

    def close(self) -> None:
        if self._folder is not None:
            self._folder.cleanup()


def _cut(file: str, index: int, text: str, out: str) -> None:
    """Face ``index`` of the collection ``file``, subset to ``text``, saved as its own TrueType
    file (PostScript outlines turned quadratic, as Type 42 embedding needs)."""
    from fontTools import subset

    options = subset.Options()
    options.font_number = index
    options.notdef_outline = True
    options.name_IDs = ["*"]  # matplotlib reads the family name from the name table
    face = subset.load_font(file, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(face)
    if "CFF " in face:
        _to_truetype(face)
    face.save(out)


def _to_truetype(face: Any) -> None:
    """Replace a font's cubic CFF outlines by quadratic TrueType ones (fontTools' cu2qu), in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order, glyphs = face.getGlyphOrder(), face.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
        glyf[name].recalcBounds(glyf)
    for table in ("CFF ", "VORG"):
        if table in face:
            del face[table]
    face["glyf"], face["loca"] = glyf, newTable("loca")
    face["head"].glyphDataFormat = 0
    maxp = face["maxp"]
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxTwilightPoints",
                  "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, field, 0)
    face.recalcBBoxes = True  # the counts and bounds of the new outlines, when it is saved
    face["post"].formatType = 3.0
    face.sfntVersion = "\x00\x01\x00\x00"


def figure(drawing: Drawing, files: dict[str, str]) -> Figure:
    """A matplotlib Figure holding ``drawing``, one point a pixel, ready to save; ``files`` maps
    each face its text names to a font file matplotlib reads (:class:`_Faces`)."""
    from matplotlib.figure import Figure
    from matplotlib.transforms import Affine2D

    width, height = drawing.width, drawing.height
    fig = Figure(figsize=(width / 72, height / 72), dpi=72, facecolor=_colour(drawing.background))
    flip = Affine2D().scale(1, -1).translate(0, height)  # our y runs down, the PDF's up
    for order, op in enumerate(drawing.ops):  # a figure draws by zorder: the drawing's order is ours
        if isinstance(op, Text):
            fig.text(*op.at, op.text, fontproperties=_font(files[op.font], op.size), color=_colour(op.colour),
                     ha="left", va="baseline", transform=flip, zorder=order)
        else:
            fig.add_artist(_patch(op, flip)).set_zorder(order)
    return fig


def _patch(op: Fill | Stroke | Dot, transform: Any) -> Any:
    from matplotlib.patches import Circle, PathPatch

    if isinstance(op, Dot):
        return Circle(op.centre, op.diameter / 2, facecolor=_colour(op.colour), edgecolor="none",
                      linewidth=0, transform=transform)
    if isinstance(op, Fill):
        return PathPatch(_path(op.polygons, True), facecolor=_colour(op.colour), alpha=op.alpha,
                         edgecolor="none", linewidth=0, transform=transform)
    style = "solid" if op.dash is None else (op.dash[2], (op.dash[0], op.dash[1]))
    return PathPatch(_path(op.lines, op.closed), fill=False, edgecolor=_colour(op.colour), linewidth=op.width,
                     linestyle=style, capstyle="butt", joinstyle="miter", transform=transform)


def _path(shapes: tuple[tuple[Point, ...], ...], closed: bool) -> Any:
    from matplotlib.path import Path as MplPath

    vertices: list[Point] = []
    codes: list[Any] = []
    for shape in shapes:
        vertices += shape
        codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(shape) - 1)
        if closed:
            vertices.append(shape[0])
            codes.append(MplPath.CLOSEPOLY)
    return MplPath(vertices, codes)


@lru_cache(maxsize=256)
def _font(file: str, size: float) -> Any:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=file, size=size)


def _colour(rgb: RGB) -> tuple[float, float, float]:
    return rgb[0] / 255, rgb[1] / 255, rgb[2] / 255
