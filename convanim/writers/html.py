"""An interactive page: one self-contained HTML file that steps through the figure and explains
the cell under the pointer.

The figure is the stepped SVG (:class:`~convanim.writers.svg.SteppedSvgWriter`: the shared
background once, a group a step), inline, so it stays sharp at any zoom and its text is real
text; the player (``player.js``, ``player.css`` beside this file) shows one group at a time. A
figure of thousands of cells is written as pictures instead (:class:`HtmlFramesWriter`).
The results the figure draws (:class:`~convanim.drawing.Spot`) go into the page as JSON: each
cell's corners once, and per result the cells it reads and makes, its terms and its sum, every
number the engine's. Nothing is fetched: fonts, script and style are all in the file.
"""

from __future__ import annotations

import base64
import html
import io
import json
import zlib
from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from convanim.drawing import RGB, Drawing, Polygon, Spot, is_dark
from convanim.writers.base import FormatInfo, FrameWriter, changed_boxes
from convanim.writers.formats import register
from convanim.writers.svg import SteppedSvgWriter

#: The words the player shows, in one place.
WORDS = {
    "play": "Play (space)",
    "pause": "Pause (space)",
    "prev": "Previous step (←)",
    "next": "Next step (→)",
    "slider": "Step",
    "speed": "Speed",
    "of": "Step {k} / {n}",
    "hint": "Point at an output cell to see how it is computed, or at an input cell to see what it feeds.",
    "feeds": "This cell feeds {n} output cell(s).",
    "explain": "What the cell under the pointer computes",
}
SPEEDS = (0.25, 0.5, 1, 2, 4)


def _asset(name: str) -> str:
    return files("convanim.writers").joinpath(name).read_text(encoding="utf-8")


class Cells:
    """Each distinct cell polygon once, numbered in the order first met: results share cells."""

    def __init__(self) -> None:
        self.numbers: dict[Polygon, int] = {}

    def __call__(self, polygon: Polygon) -> int:
        return self.numbers.setdefault(polygon, len(self.numbers))

    def table(self) -> list[list[float]]:
        """Every cell as [x0, y0, ..., x3, y3], to a hundredth of a pixel."""
        return [[round(v, 2) for point in polygon for v in point] for polygon in self.numbers]


def page_data(spots: list[Spot], now: list[tuple[Spot, ...]], timings: list[tuple[int, int]]) -> dict[str, Any]:
    """What the player reads: step durations, the cells, the results, and which result each step
    computes (-1: none)."""
    cells = Cells()
    number = {spot: k for k, spot in enumerate(spots)}
    links = [{
        "o": cells(spot.output),
        "i": [cells(p) for p in spot.inputs],
        "w": [cells(p) for p in spot.weights],
        "t": list(spot.terms),
        "r": spot.result,
        "v": spot.value,
    } for spot in spots]
    return {
        "ms": [duration for _, duration in timings],
        "cells": cells.table(),
        "links": links,
        "now": [number[step[-1]] if step else -1 for step in now],
        "of": WORDS["of"], "hint": WORDS["hint"], "feeds": WORDS["feeds"],
        "words": {"play": WORDS["play"], "pause": WORDS["pause"]},
    }


def packed(data: dict[str, Any]) -> str:
    """``data`` as JSON, zlib-compressed, in base64: a big figure's cells and sums are megabytes
    of repetitive text that compress about tenfold (the player inflates them with the browser's
    own ``DecompressionStream``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(text, 9)).decode("ascii")


def controls(steps: int) -> str:
    """The player's labelled controls, in keyboard order."""
    speeds = "".join(f'<option value="{s:g}"{" selected" if s == 1 else ""}>{s:g}×</option>' for s in SPEEDS)
    return (
        '<div class="cv-controls">'
        f'<button type="button" class="cv-prev" aria-label="{WORDS["prev"]}">◀︎◀︎</button>'
        f'<button type="button" class="cv-play" aria-pressed="false" aria-label="{WORDS["play"]}">▶</button>'
        f'<button type="button" class="cv-next" aria-label="{WORDS["next"]}">▶︎▶︎</button>'
        f'<input type="range" class="cv-slider" min="1" max="{steps}" value="1" aria-label="{WORDS["slider"]}">'
        f'<span class="cv-count" aria-live="polite">{WORDS["of"].format(k=1, n=steps)}</span>'
        f'<label>{WORDS["speed"]} <select class="cv-speed">{speeds}</select></label>'
        "</div>"
    )


def page_document(svg: str, data: dict[str, Any], width: int, colour: RGB, title: str, description: str,
                  steps: int) -> str:
    """The whole page around the figure's ``svg`` (a complete SVG element, its groups ``g.s`` the
    steps): the player, its controls, the panel and ``data``."""
    red, green, blue = colour
    dark = is_dark(colour)
    label = html.escape(". ".join(t for t in (title, description) if t), quote=True)
    svg = svg.replace("<svg ", f'<svg class="cv-figure" role="img" aria-label="{label}" ', 1)
    colours = f"--cv-bg:rgb({red},{green},{blue});--cv-fg:{'#f2f2f2' if dark else '#1a1a1a'};--cv-width:{width}px"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>:root{{{colours}}}body{{margin:0;background:var(--cv-bg)}}{_asset('player.css')}</style>\n"
        "</head>\n<body>\n"
        f'<main class="cv-player{" cv-dark" if dark else ""}">\n{svg}'
        f"{controls(steps)}\n"
        f'<section class="cv-panel" aria-live="polite" aria-label="{WORDS["explain"]}"></section>\n'
        f'<script type="application/octet-stream" class="cv-data">{packed(data)}</script>\n'
        "</main>\n"
        f"<script>{_asset('player.js')}\n"
        "const root = document.querySelector('.cv-player');\n"
        "cvData(root).then((data) => {\n"
        "  const player = cvPlayer(root, data);\n"
        "  window.convanimPlayer = player;\n"
        "  cvKeys(document, () => player, (by) => window.convanimEdge && window.convanimEdge(by));\n"
        "  if (window.convanimReady) window.convanimReady(player);  // a deck holding the page\n"
        "});\n"
        "</script>\n</body>\n</html>\n"
    )


class PageShell:
    """What both page writers share: the page's name (``title`` and ``description``, for the
    browser and for screen readers), the results they keep (all the figure shows, and each
    step's own), and writing the page around their SVG."""

    size: tuple[int, int]
    temp: Path

    def __init__(self, path: str | Path | None = None, *, fps: float | None = None, loop: int = 0,
                 title: str = "", description: str = "") -> None:
        super().__init__(path, fps=fps, loop=loop)  # type: ignore[call-arg]  # the writer base, next in line
        self.title, self.description = title or "convanim figure", description

    def _start_explaining(self) -> None:
        self._spots: list[Spot] = []
        self._known: set[Spot] = set()
        self._now: list[tuple[Spot, ...]] = []
        self._seen: tuple[Spot, ...] | None = None

    def explain(self, spots: tuple[Spot, ...], now: tuple[Spot, ...]) -> None:
        """Add one step's results: ``spots`` (every result its picture shows: the same tuple each
        step, as the renderer gives it, is read once) and ``now`` (those it computes)."""
        fresh = now if spots is self._seen else (*spots, *now)
        self._seen = spots
        for spot in fresh:
            if spot not in self._known:
                self._known.add(spot)
                self._spots.append(spot)
        self._now.append(now)

    def _write_page(self, svg: str, timings: list[tuple[int, int]], colour: RGB, **extra: Any) -> None:
        """The page around ``svg``, its steps timed by ``timings``, on ``colour``; ``extra`` joins
        the player's data."""
        data = {**page_data(self._spots, self._now, timings), **extra}
        document = page_document(svg, data, self.size[0], colour, self.title, self.description, len(timings))
        self.temp.write_text(document, encoding="utf-8")


@register
class HtmlPageWriter(PageShell, SteppedSvgWriter):
    """``fig.html``: the figure as a page to step through and hover, for a course page, a post or
    an iframe, drawn as vector shapes."""

    info = FormatInfo("html", suffixes=(".html", ".htm"), mime_type="text/html", vector=True,
                      options=("title", "description"))

    def _start(self) -> None:
        super()._start()
        self._start_explaining()

    def _page(self, drawing: Drawing, start_ms: int, duration_ms: int) -> None:
        super()._page(drawing, start_ms, duration_ms)
        self.explain(drawing.spots, drawing.now)

    def _finish(self) -> list[Path]:
        svg = self._svg(after='<g class="cv-marks"></g>\n').split("\n", 1)[1]  # no XML declaration inline
        self._write_page(svg, self._timings(), self._page_colour)
        return [self.destination]


class HtmlFramesWriter(PageShell, FrameWriter):
    """The same page with the steps as pictures: a figure of thousands of cells is far smaller as
    pixels than as shapes. Each step is the crop of what changed since the step before, as PNG,
    laid over the ones before it (the player shows steps 0 to k for step k), so a step costs what
    it changes. :meth:`explain` gives each step's results, as the renderer projects them."""

    info = replace(HtmlPageWriter.info, vector=False)  # the same format, frames in

    def _start(self) -> None:
        self._start_explaining()
        self._groups: list[str] = []
        self._timing: list[tuple[int, int]] = []
        self._last: np.ndarray | None = None

    def _frame(self, indices: np.ndarray, start_ms: int, duration_ms: int) -> None:
        images = "".join(_png_image(indices, self.palette, box) for box in changed_boxes(self._last, indices))
        self._groups.append(f'<g id="s{len(self._groups)}" class="s">{images}</g>\n')
        self._timing.append((start_ms, duration_ms))
        self._last = indices

    def _finish(self) -> list[Path]:
        width, height = self.size
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
               f'viewBox="0 0 {width} {height}">\n{"".join(self._groups)}<g class="cv-marks"></g>\n</svg>\n')
        red, green, blue = self.palette[:3]  # index 0, the page colour
        self._write_page(svg, self._timing, (red, green, blue), cumulative=True)
        return [self.destination]


def _png_image(indices: np.ndarray, palette: bytes, box: tuple[int, int, int, int]) -> str:
    """The ``box`` of a palette frame as an SVG ``<image>`` of an embedded PNG, with only the
    colours it uses in its palette."""
    from PIL import Image

    left, top, right, bottom = box
    part = indices[top:bottom, left:right]
    used, local = np.unique(part, return_inverse=True)  # a crop's own few colours: a small PLTE chunk
    crop = Image.fromarray(local.reshape(part.shape).astype(np.uint8), mode="P")
    crop.putpalette(b"".join(palette[3 * int(k) : 3 * int(k) + 3] for k in used))
    buffer = io.BytesIO()
    crop.save(buffer, format="PNG", optimize=True)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<image x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
            f'href="data:image/png;base64,{encoded}"/>')
