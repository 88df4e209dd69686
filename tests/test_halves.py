"""A long GIF drawn in two halves (this process and a forked one) is the file one process writes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from convanim import api, halves
from convanim.errors import RenderError
from convanim.picture import Timeline
from convanim.registry import builtin_scenes
from convanim.writers.gif import GifWriter

pytestmark = pytest.mark.skipif(not halves.worth_splitting(10**9), reason="needs two cores and fork")


def render_both(timeline: Timeline, folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    """(drawn in one process, drawn in halves) bytes of the same GIF."""
    monkeypatch.setattr(halves, "SPLIT_FROM_FRAMES", 10**9)
    whole = api.render(timeline, folder / "whole.gif", scale=0.5).read_bytes()
    monkeypatch.setattr(halves, "SPLIT_FROM_FRAMES", 2)
    calls = []
    original = halves.draw_in_halves
    monkeypatch.setattr(halves, "draw_in_halves", lambda *args: calls.append(1) or original(*args))
    split = api.render(timeline, folder / "split.gif", scale=0.5).read_bytes()
    assert calls, "the render was not split"
    return whole, split


@pytest.mark.parametrize("name", ["basics", "grouped", "arith-dilation"])
def test_halves_write_the_bytes_one_process_writes(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, split = render_both(builtin_scenes().get(name).timeline(), tmp_path, monkeypatch)
    assert split == whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["split.gif", "whole.gif"]


def test_a_second_half_starting_like_the_first_half_ended_extends_its_last_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Steps that draw the same picture either side of the cut become one longer frame, as in
    one process: the second half carries their time back to the first half's last frame."""
    timeline = builtin_scenes().get("basics").timeline()
    steps = list(timeline.steps[:6])
    cut = len(steps) // 2  # a copy of the step before the cut now starts the second half
    steps[cut] = steps[cut - 1]
    whole, split = render_both(replace(timeline, steps=tuple(steps)), tmp_path, monkeypatch)
    assert split == whole


def test_a_failing_second_half_fails_the_render_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(halves, "SPLIT_FROM_FRAMES", 2)

    def broken(self: GifWriter, *args: object) -> None:
        raise OSError("no room")

    monkeypatch.setattr(GifWriter, "follow", broken)  # the forked child inherits it
    with pytest.raises(RenderError, match="second half failed: OSError: no room"):
        api.render("basics", tmp_path / "x.gif", scale=0.5)
    assert list(tmp_path.iterdir()) == []


def test_never_forked_beside_other_threads() -> None:
    """A notebook's kernel runs threads; a fork copies whatever locks they hold."""
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not halves.worth_splitting(10**9)
    finally:
        stop.set()
        other.join()
    assert halves.worth_splitting(10**9)
