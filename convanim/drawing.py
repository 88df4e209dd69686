"""A frame as vector shapes: the contract between the vector renderer and the SVG and PDF writers.

A raster frame is a palette image; a vector frame is a :class:`Drawing`, the same picture as a
list of filled polygons, stroked polylines and text runs in output pixels (x right, y down), drawn
in order. It is plain data and knows nothing about convolutions or themes: the renderer has
already resolved every role to its colour, every dash to its pattern and every text to its size
and font file, so a writer only spells the shapes in its own format.
"""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[int, int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class Fill:
    """A filled polygon (or several, one colour, drawn as one shape); ``alpha`` below 1 blends
    it over what lies beneath."""

    polygons: tuple[tuple[Point, ...], ...]
    colour: RGB
    alpha: float = 1.0


@dataclass(frozen=True)
class Stroke:
    """Polylines of one colour and width with butt ends (``closed`` ones join back to their
    start with mitred corners). ``dash`` is (on, off, offset) in pixels, or None for solid."""

    lines: tuple[tuple[Point, ...], ...]
    colour: RGB
    width: float
    dash: tuple[float, float, float] | None = None
    closed: bool = False


@dataclass(frozen=True)
class Dot:
    """A filled disc: the round ends of a heavy outline."""

    centre: Point
    diameter: float
    colour: RGB


@dataclass(frozen=True)
class Text:
    """One line of text with its baseline starting at ``at``, ``size`` pixels to the em, in the
    font ``font`` (a file, which a writer embeds, so the text reads the same everywhere; see
    :func:`face_name` for a face inside a collection)."""

    at: Point
    text: str
    size: float
    colour: RGB
    font: str
    bold: bool = False


Op = Fill | Stroke | Dot | Text
Polygon = tuple[Point, ...]


def face_name(file: str, index: int = 0) -> str:
    """A font face as :attr:`Text.font` names it: the file, then ``#index`` for a face of a
    collection (.ttc) other than its first."""
    return f"{file}#{index}" if index else file


def parse_face(name: str) -> tuple[str, int]:
    """The file and face index a :func:`face_name` names."""
    file, _, index = name.rpartition("#")
    return (file, int(index)) if file and index.isdigit() else (name, 0)


def is_dark(colour: RGB) -> bool:
    """Whether text on ``colour`` should be light (by its luminance): how a page or a slide
    around a figure matches its background without knowing the theme."""
    red, green, blue = colour
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 128


@dataclass(frozen=True)
class Spot:
    """A result of the figure where it is drawn, in output pixels (a picture's ``Link``): what an
    interactive page explains when the pointer is over ``output`` or one of ``inputs``."""

    output: Polygon
    inputs: tuple[Polygon, ...]
    weights: tuple[Polygon, ...]
    terms: tuple[str, ...]
    result: str
    value: float


@dataclass(frozen=True)
class Drawing:
    """One frame: ``width`` x ``height`` pixels of ``background`` with ``ops`` drawn in order.

    ``spots`` are every result the figure shows, ``now`` the ones this frame computes (writers of
    still pictures ignore both)."""

    width: int
    height: int
    background: RGB
    ops: tuple[Op, ...]
    spots: tuple[Spot, ...] = ()
    now: tuple[Spot, ...] = ()
