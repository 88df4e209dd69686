"""PDF: one page a step, as conv_arithmetic ships its figures for papers, handouts and Beamer.

matplotlib's PDF backend does the writing, driven without pyplot: each drawing becomes a Figure of
its size in points (one pixel, one point) holding a patch per filled shape and stroke and a text
per text run. matplotlib is a dependency already, and this is the work it is good at: a compact
PDF with the fonts embedded as subset TrueType (Type 42), so text stays text, selectable and
searchable, with its ToUnicode map. The creation date is left out, so the same drawings give the
same bytes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from convanim.drawing import RGB, Dot, Drawing, Fill, Point, Stroke, Text
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
        self._pdf = PdfPages(self.temp, metadata=_METADATA)

    def _page(self, drawing: Drawing, start_ms: int, duration_ms: int) -> None:
        self._pdf.savefig(figure(drawing))

    def _finish(self) -> list[Path]:
        self._close()
        return [self.destination]

    def _abort(self) -> None:
        self._close()

    def _close(self) -> None:
        pdf, rc = self.__dict__.pop("_pdf", None), self.__dict__.pop("_rc", None)
        try:
            if pdf is not None:
                pdf.close()
        finally:
            if rc is not None:
                rc.__exit__(None, None, None)


def figure(drawing: Drawing) -> Figure:
    """A matplotlib Figure holding ``drawing``, one point a pixel, ready to save."""
    from matplotlib.figure import Figure
    from matplotlib.transforms import Affine2D

    width, height = drawing.width, drawing.height
    fig = Figure(figsize=(width / 72, height / 72), dpi=72, facecolor=_colour(drawing.background))
    flip = Affine2D().scale(1, -1).translate(0, height)  # our y runs down, the PDF's up
    for order, op in enumerate(drawing.ops):  # a figure draws by zorder: the drawing's order is ours
        if isinstance(op, Text):
            fig.text(*op.at, op.text, fontproperties=_font(op.font, op.size), color=_colour(op.colour),
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
