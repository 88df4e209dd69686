"""Every built-in figure fills its canvas and keeps its labels readable.

A figure fitted into a 16:9 frame may still come out small: the cell size has a cap, and labels
that keep a minimum size do not shrink with it, so a figure of few cells or wide labels could sit
in the middle of a 1080p slide. And a label sized for README could be a speck at 1080p. Both are
measured here as the renderer lays the figure out (its fitted canvas, its painter's bounds of
every item of the background and of every step), not by eye.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from convanim.picture import Item, Label, Timeline
from convanim.registry import builtin_scenes
from convanim.renderer.compose import Fitted
from convanim.renderer.project import resolve_size
from convanim.renderer.theme import get_theme
from convanim.words import LANGUAGES, say, speaking

NAMES = builtin_scenes().names()
#: Share of the room left between the title and the caption that a figure fills, across or down,
#: whichever binds: the rest is the margin fitting leaves around its parts.
FILL = 0.85
#: Smallest label, in output pixels, at each size. A kernel weight written in a cell's corner
#: ("tiny") is a subscript of that cell's number, sized with the cell, and is not held to it.
LABEL_PX = {"readme": 11, "1080p": 24}


def fitted(name: str, size: str) -> Fitted:
    return Fitted(builtin_scenes().get(name).timeline(), get_theme("light"), resolve_size(size))


def items_of(timeline: Timeline) -> list[Item]:
    return [*timeline.background.items, *(item for step in timeline.steps for item in step.overlay.items)]


def fill(figure: Fitted) -> tuple[float, float]:
    """(width, height) of everything the figure draws, as shares of the room it was fitted into."""
    boxes = [figure.painter.bounds(item) for item in items_of(figure.timeline)]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    width, height = figure.hires.room_px
    return (x1 - x0) / width, (y1 - y0) / height


@pytest.mark.parametrize("name", NAMES)
def test_figure_fills_a_16_9_frame(name: str) -> None:
    across, down = fill(fitted(name, "1080p"))
    assert max(across, down) >= FILL, f"{name} fills {across:.0%} of the width and {down:.0%} of the height"


def small_labels(figure: Fitted, minimum: float) -> set[tuple[str, float]]:
    """The figure's labels (kernel weights in a cell's corner aside) drawn under ``minimum`` px."""
    return {(label.text, px) for label in items_of(figure.timeline)
            if isinstance(label, Label) and label.size != "tiny"
            and (px := figure.hires.text_px(label.size) / figure.factor) < minimum}


@pytest.mark.parametrize("size", list(LABEL_PX))
@pytest.mark.parametrize("name", NAMES)
def test_labels_are_big_enough_to_read(name: str, size: str) -> None:
    small = small_labels(fitted(name, size), LABEL_PX[size])
    assert not small, f"{name} at {size}: labels under {LABEL_PX[size]} px: {sorted(small)[:5]}"


def test_the_measures_can_fail() -> None:
    """A frame's room far larger than the figure's bounds is found, and so are README-size
    labels held to the 1080p minimum."""
    figure = fitted("basics", "1080p")
    width, height = figure.hires.room_px
    figure.hires = replace(figure.hires, room_px=(width * 2, height * 2))
    assert max(fill(figure)) < FILL
    assert small_labels(fitted("basics", "readme"), LABEL_PX["1080p"])


def label_texts(timeline: Timeline) -> list[str]:
    return [item.text.lower() for item in items_of(timeline) if isinstance(item, Label)]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_figure_names_its_input_and_output(name: str, lang: str) -> None:
    """Which grid is the input is what conv_arithmetic's readers asked most (its issues #9, #30,
    #35): every figure says it, in its own language's words."""
    texts = label_texts(builtin_scenes().get(name).timeline(lang))
    with speaking(lang):
        words = [say("grid.input").lower(), say("grid.output").lower()]
    missing = [word for word in words if not any(word in text for text in texts)]
    assert not missing, f"{name} ({lang}) has no label naming its {' or '.join(missing)}"
