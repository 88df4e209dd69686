"""Snapshots of every built-in scene: its timeline as data, and the bytes of its GIF at a small size.

The safety net under any refactoring: a change that moves code must leave every figure as it was.
A timeline is plain data, so its snapshot needs no fonts and cannot be flaky; the GIF snapshot
checks the whole path from the timeline to the file (renderer, palette, writer).

After an intended change of a figure, regenerate with ``CONVANIM_REGEN_SNAPSHOTS=1 pytest
tests/test_snapshots.py``, look at the new GIFs, and commit them with the change that explains
them. The bytes hold on the oldest and the newest Pillow the package allows (CI runs both; their
FreeTypes rasterise the DejaVu text identically). When a GIF differs, the test writes
``tests/snapshots/_diffs/NAME.png``: the first differing frame as expected | actual | the
differing pixels in red.
"""

from __future__ import annotations

import dataclasses
import difflib
import gzip
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageSequence

from convanim.api import render
from convanim.picture.lazy import Lazy
from convanim.registry import builtin_scenes

SNAPSHOTS = Path(__file__).parent / "snapshots"
DIFFS = SNAPSHOTS / "_diffs"
REGEN = os.environ.get("CONVANIM_REGEN_SNAPSHOTS") == "1"
#: Small enough to keep the suite fast, large enough that every label is still drawn.
SCALE = 0.5
NAMES = builtin_scenes().names()


def as_data(value: Any) -> Any:
    """A timeline (nested frozen dataclasses, tuples, strings, numbers) as JSON-ready data,
    every item tagged with its type so that a Shade and a Line with equal fields still differ."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: as_data(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return {"type": type(value).__name__, **fields}
    if isinstance(value, (tuple, list, Lazy)):  # a long sweep's steps are made as they are read
        return [as_data(v) for v in value]
    return value


def timeline_text(name: str) -> str:
    """The scene's timeline as indented JSON, one value per line, so a difference reads as a diff."""
    return json.dumps(as_data(builtin_scenes().get(name).timeline()), ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("name", NAMES)
def test_timeline_matches_snapshot(name: str) -> None:
    path = SNAPSHOTS / f"{name}.json.gz"
    text = timeline_text(name)
    if REGEN:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    expected = gzip.decompress(path.read_bytes()).decode()
    if text != expected:
        diff = difflib.unified_diff(expected.splitlines(), text.splitlines(), "snapshot", "now", lineterm="", n=2)
        pytest.fail(f"{name}: timeline differs from {path.name}:\n" + "\n".join(list(diff)[:40]))


@pytest.mark.parametrize("name", NAMES)
def test_gif_matches_snapshot(name: str, tmp_path: Path) -> None:
    path = SNAPSHOTS / f"{name}.gif"
    made = render(name, tmp_path / f"{name}.gif", scale=SCALE)
    if REGEN:
        path.write_bytes(made.read_bytes())
    if made.read_bytes() != path.read_bytes():
        where = write_diff(name, path, made, DIFFS)
        pytest.fail(f"{name}: GIF differs from {path.name}; first differing frame: {where}")


def write_diff(name: str, expected: Path, actual: Path, folder: Path) -> str:
    """Save the first frame where two GIFs differ, side by side with the differing pixels in red;
    say which frame and where the picture went (or that only the bytes or frame count differ)."""
    old, new = (list(map(_rgb, ImageSequence.Iterator(Image.open(p)))) for p in (expected, actual))
    for index, (a, b) in enumerate(zip(old, new)):
        if a.shape != b.shape or not np.array_equal(a, b):
            folder.mkdir(parents=True, exist_ok=True)
            out = folder / f"{name}.png"
            Image.fromarray(_side_by_side(a, b)).save(out)
            return f"frame {index}, picture in {out}"
    return f"no frame differs in pixels ({len(old)} frames then, {len(new)} now): only the encoding does"


def _rgb(frame: Image.Image) -> np.ndarray:
    return np.asarray(frame.convert("RGB"))


def _side_by_side(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """expected | actual | red where they differ (on a grey copy of expected)."""
    height, width = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    pad = lambda img: np.pad(img, ((0, height - img.shape[0]), (0, width - img.shape[1]), (0, 0)))  # noqa: E731
    a, b = pad(a), pad(b)
    marked = (a.mean(axis=2, keepdims=True) * 0.5 + 127).astype(np.uint8).repeat(3, axis=2)
    marked[(a != b).any(axis=2)] = (220, 0, 0)
    return np.concatenate([a, b, marked], axis=1)


def test_a_differing_frame_is_saved_as_a_diff_picture(tmp_path: Path) -> None:
    frames = [np.zeros((4, 6), np.uint8), np.ones((4, 6), np.uint8)]
    changed = [frames[0], frames[1].copy()]
    changed[1][2, 3] = 0
    paths = []
    for label, pictures in (("a", frames), ("b", changed)):
        images = [Image.fromarray(f * 255, "L").convert("P") for f in pictures]
        paths.append(tmp_path / f"{label}.gif")
        images[0].save(paths[-1], save_all=True, append_images=images[1:], duration=100)
    assert "frame 1" in write_diff("x", paths[0], paths[1], tmp_path / "diffs")
    diff = np.asarray(Image.open(tmp_path / "diffs" / "x.png").convert("RGB"))
    assert diff.shape == (4, 18, 3) and tuple(diff[2, 12 + 3]) == (220, 0, 0) and tuple(diff[0, 12]) != (220, 0, 0)
    assert "no frame differs" in write_diff("y", paths[0], paths[0], tmp_path / "diffs")
