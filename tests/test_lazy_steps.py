"""Long sweeps make their steps as they are drawn: memory that does not grow with the steps, and
steps that are the same whichever order they are read in."""

from __future__ import annotations

import gc
import random
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from convanim import api
from convanim.budget import estimate
from convanim.core.spec import ConvSpec
from convanim.figures import arithmetic
from convanim.picture.lazy import Lazy, mapped
from convanim.picture.timeline import without_text
from convanim.renderer.project import resolve_size
from convanim.words import in_language_now, say, speaking


def _sweep(side: int, **kw: Any) -> Any:
    spec = ConvSpec.create(input_size=(side, side), kernel_size=(3, 3), padding=(1, 1))
    return arithmetic(spec, every_position=True, **kw)


def test_a_lazy_sequence_reads_like_a_tuple() -> None:
    made: list[int] = []
    squares = Lazy(5, lambda k: made.append(k) or k * k)
    assert len(squares) == 5 and list(squares) == [0, 1, 4, 9, 16]
    assert squares[-1] == 16 and squares[1:4] == (1, 4, 9) and squares[::-2] == (16, 4, 0)
    assert squares == (0, 1, 4, 9, 16) and squares == Lazy(5, lambda k: k * k) and squares != (0, 1, 4)
    assert hash(squares) == hash((0, 1, 4, 9, 16))
    made.clear()
    assert squares[3] == squares[3] == 9 and made == [3]  # the last one made is kept
    for index in (5, -6):
        with pytest.raises(IndexError, match="out of range for 5 elements"):
            squares[index]
    assert mapped(squares, str)[2] == "4" and isinstance(mapped(squares, str), Lazy)
    assert mapped((1, 2), str) == ("1", "2")


def test_a_long_sweep_holds_one_step_at_a_time() -> None:
    """Walking every step of a 4,096-step sweep leaves at most the last one alive: a tuple of
    steps would keep them all (and this test would count 4,096)."""
    timeline = _sweep(64)
    assert isinstance(timeline.steps, Lazy) and len(timeline.steps) == 64 * 64
    alive = []
    for step in timeline.steps:
        alive.append(weakref.ref(step))
    gc.collect()
    assert sum(ref() is not None for ref in alive) <= 1


@pytest.mark.parametrize("values", ["hidden", "numbers", "heat"])
def test_steps_are_the_same_read_in_any_order(values: str) -> None:
    """A step made after a jump (the second half's process starts in the middle, a still picks
    one) equals the step made in order: the output grid fills from wherever it was."""
    timeline = _sweep(7, values=values)
    in_order = tuple(timeline.steps)
    order = list(range(len(in_order)))
    random.Random(1).shuffle(order)
    assert all(timeline.steps[k] == in_order[k] for k in order)
    assert timeline.steps == in_order


def test_steps_made_later_speak_the_language_they_were_built_in() -> None:
    with speaking("zh"):
        timeline = _sweep(6, values="heat")
        link = in_language_now(lambda _: say("grid.input"))
    texts = [item.text for item in timeline.steps[10].overlay.items if hasattr(item, "text")]
    assert texts and all("input" not in text and "products" not in text for text in texts)
    assert link(0) == "输入" and say("grid.input") == "input"


def test_a_lazy_timeline_stays_lazy_through_the_api() -> None:
    timeline = _sweep(20)
    assert isinstance(without_text(timeline).steps, Lazy)
    assert isinstance(api._with_hold(timeline, 100).steps, Lazy)
    assert api.step_times(timeline, 100)[1] == 100
    # The memory estimate counts the cells of one step held at a time, not of all of them.
    held = estimate(timeline, resolve_size("readme", 1.0, False), None)
    whole = estimate(replace(timeline, steps=tuple(timeline.steps)), resolve_size("readme", 1.0, False), None)
    assert held.memory_bytes < whole.memory_bytes


def test_a_lazy_sweep_renders_byte_for_byte_as_its_tuple(tmp_path: Path) -> None:
    timeline = _sweep(6)
    api.render(timeline, tmp_path / "lazy.gif")
    api.render(replace(timeline, steps=tuple(timeline.steps)), tmp_path / "tuple.gif")
    assert (tmp_path / "lazy.gif").read_bytes() == (tmp_path / "tuple.gif").read_bytes()


def test_a_render_makes_each_lazy_step_four_times_at_most(tmp_path: Path) -> None:
    """Made once each by the check (which keeps the holds), the memory estimate, the fit (which
    gathers the roles on the way) and the frames: every other stage reads what those kept."""
    timeline = _sweep(6)
    made = [0]

    def make(k: int) -> Any:
        made[0] += 1
        return timeline.steps[k]

    api.render(replace(timeline, steps=Lazy(len(timeline.steps), make)), tmp_path / "counted.gif")
    assert made[0] <= 4 * len(timeline.steps)
