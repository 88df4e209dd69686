"""An interactive page: one self-contained HTML file that steps through the figure and explains
the cell under the pointer.

The figure is the stepped SVG (:class:`~convanim.writers.svg.SteppedSvgWriter`: the shared
background once, a group a step), inline, so it stays sharp at any zoom and its text is real
text; the player (``player.js``, ``player.css`` beside this file) shows one group at a time.
The results the figure draws (:class:`~convanim.drawing.Spot`) go into the page as JSON: each
cell's corners once, and per result the cells it reads and makes, its terms and its sum, every
number the engine's. Nothing is fetched: fonts, script and style are all in the file.
"""

from __future__ import annotations

import html
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from convanim.drawing import Drawing, Polygon, Spot
from convanim.writers.base import FormatInfo
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


def _json(data: dict[str, Any]) -> str:
    """JSON safe inside a <script> element (no ``</`` can end it early)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


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


@register
class HtmlPageWriter(SteppedSvgWriter):
    """``fig.html``: the figure as a page to step through and hover, for a course page, a post or
    an iframe. ``title`` and ``description`` name it for the browser and for screen readers."""

    info = FormatInfo("html", suffixes=(".html", ".htm"), mime_type="text/html", vector=True,
                      options=("title", "description"))

    def __init__(self, path: str | Path | None = None, *, fps: float | None = None, loop: int = 0,
                 title: str = "", description: str = "") -> None:
        super().__init__(path, fps=fps, loop=loop)
        self.title, self.description = title or "convanim figure", description

    def _start(self) -> None:
        super()._start()
        self._spots: list[Spot] = []
        self._now: list[tuple[Spot, ...]] = []

    def _page(self, drawing: Drawing, start_ms: int, duration_ms: int) -> None:
        super()._page(drawing, start_ms, duration_ms)
        known = set(self._spots)
        self._spots += [spot for spot in dict.fromkeys((*drawing.spots, *drawing.now)) if spot not in known]
        self._now.append(drawing.now)

    def _finish(self) -> list[Path]:
        self.temp.write_text(self.document(), encoding="utf-8")
        return [self.destination]

    def document(self) -> str:
        """The whole page."""
        width, height = self.size
        red, green, blue = self._page_colour
        dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue < 128
        svg = self._svg(after='<g class="cv-marks"></g>\n').split("\n", 1)[1]  # no XML declaration inline
        label = html.escape(". ".join(t for t in (self.title, self.description) if t), quote=True)
        svg = svg.replace("<svg ", f'<svg class="cv-figure" role="img" aria-label="{label}" ', 1)
        data = page_data(self._spots, self._now, self._timings())
        colours = f"--cv-bg:rgb({red},{green},{blue});--cv-fg:{'#f2f2f2' if dark else '#1a1a1a'};--cv-width:{width}px"
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(self.title)}</title>\n"
            f"<style>:root{{{colours}}}body{{margin:0;background:var(--cv-bg)}}{_asset('player.css')}</style>\n"
            "</head>\n<body>\n"
            f'<main class="cv-player{" cv-dark" if dark else ""}">\n{svg}'
            f"{controls(len(self._steps))}\n"
            f'<section class="cv-panel" aria-live="polite" aria-label="{WORDS["explain"]}"></section>\n'
            f'<script type="application/json" class="cv-data">{_json(data)}</script>\n'
            "</main>\n"
            f"<script>{_asset('player.js')}\n"
            "const player = cvPlayer(document.querySelector('.cv-player'));\n"
            "window.convanimPlayer = player;\n"
            "cvKeys(document, () => player, (by) => window.convanimEdge && window.convanimEdge(by));\n"
            "</script>\n</body>\n</html>\n"
        )
