"""What the slides, notebook and browser tests share: a tiny scene file and a render recorder.

The recorder wraps the real :func:`convanim.api.render` and keeps the bytes of every file it
wrote, so a test can compare what a deck embeds with what was rendered, computed independently
of the deck writers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from convanim import api

SIZE = "160x120"
TITLE = "Tiny & <odd> | 50% {title}"
CAPTION = "o = ⌊(3 − 2)/1⌋ + 1 = 2 · caption with \"quotes\" & <tags>"
SCENES = f"""
from convanim.picture import Grid, Picture, Shade, Step, Timeline
from convanim.registry import scene


def tiny(columns):
    grid = Grid(origin=(0.0, 0.0, 0.0), roles=(("input",) * 3,) * 3)
    steps = tuple(
        Step(Picture(items=(Shade(grid.quad(0, col, 2, col + 2)),)), hold_ms=150) for col in columns
    )
    background = Picture(items=(grid,), title={TITLE!r}, caption={CAPTION!r})
    return Timeline(background=background, steps=steps, hold_start_ms=100, hold_end_ms=200)


@scene("tiny-one", "first tiny scene")
def one():
    return tiny([0, 1])


@scene("tiny-two", "second tiny scene")
def two():
    return tiny([1, 0, 1])
"""


def scene_file(folder: Path) -> Path:
    """Write the two-scene file into ``folder`` and return its path."""
    path = folder / "tiny_scenes.py"
    path.write_text(SCENES, encoding="utf-8")
    return path


@dataclass
class Recorder:
    """Every call to ``api.render``: its keyword options and the bytes it wrote (files only)."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    outputs: dict[str, bytes] = field(default_factory=dict)  # by file name

    def of(self, suffix: str) -> list[bytes]:
        """The bytes of every rendered file with ``suffix``, in rendering order."""
        return [data for name, data in self.outputs.items() if name.endswith(suffix)]


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Record what ``api.render`` writes (the real one, at a small size)."""
    record = Recorder()
    real = api.render

    def render(target: Any, out: Any = None, **options: Any) -> Path:
        options.setdefault("size", SIZE)
        record.calls.append(options)
        path = real(target, out, **options)
        if path.is_file():
            record.outputs[path.name] = path.read_bytes()
        return path

    monkeypatch.setattr(api, "render", render)
    return record
