"""Expanding timelines into frames: holds, glide in-betweens, durations, laziness."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import pytest

from convanim.picture import Grid, Label, Line, Picture, Shade, Step, Timeline
from convanim.picture.timeline import GLIDE_MAX_MS, GLIDE_SHARE, Frame, ease, expand, interpolate, total_ms


def _square(x: float, y: float) -> tuple[tuple[float, float, float], ...]:
    return ((x, y, 0.0), (x + 1, y, 0.0), (x + 1, y + 1, 0.0), (x, y + 1, 0.0))


def _sweep(count: int, hold_ms: int = 600, **kw: object) -> Timeline:
    """A one-cell window walking right, a projector line following it, a static label."""
    steps = tuple(
        Step(
            Picture(items=(Shade(_square(i, 0)), Line(((i, 0.0, 0.0), (0.0, -3.0, 0.0))), Label((0, 0, 0), "k"))),
            hold_ms=hold_ms + 10 * i,
        )
        for i in range(count)
    )
    background = Picture(items=(Grid((0, 0, 0), (("input",) * count,)),))
    return Timeline(background, steps, **kw)  # type: ignore[arg-type]


def test_one_frame_per_step_with_start_and_end_holds() -> None:
    timeline = _sweep(4, hold_start_ms=300, hold_end_ms=900)
    frames = list(expand(timeline))
    assert [f.step_index for f in frames] == list(range(4))
    expected = [s.hold_ms for s in timeline.steps]
    expected[0] += timeline.hold_start_ms
    expected[-1] += timeline.hold_end_ms
    assert [f.duration_ms for f in frames] == expected
    assert all(f.overlay is s.overlay for f, s in zip(frames, timeline.steps))


@pytest.mark.parametrize("fps", [24, 30, 50, 60])
def test_glide_adds_in_betweens_and_keeps_total_duration(fps: int) -> None:
    timeline = _sweep(5, hold_start_ms=350)  # steps that start between two ticks of the clock
    frames = list(expand(timeline, fps=fps))
    assert sum(f.duration_ms for f in frames) == total_ms(timeline)
    assert len(frames) > len(timeline.steps)
    for index, step in enumerate(timeline.steps):
        mine = [f for f in frames if f.step_index == index]
        assert mine[0].overlay is step.overlay and mine[0].progress == 0.0
        between = mine[1:]
        if index == len(timeline.steps) - 1:
            assert not between  # nothing to glide to after the last step
            continue
        assert between, "every moving step glides"
        assert [ticks(f, frames, fps) for f in between] == [1] * len(between)  # one video frame each
        assert ticks(mine[0], frames, fps) >= 1
        glide_ms = sum(f.duration_ms for f in between) + 1000 / fps
        assert glide_ms <= min(GLIDE_MAX_MS, GLIDE_SHARE * step.hold_ms) + 1000 / fps
        progress = [f.progress for f in between]
        assert progress == sorted(progress) and progress[0] > 0 and progress[-1] < 1


def ticks(frame: Frame, frames: list[Frame], fps: float) -> int:
    """How many frames of a constant ``fps`` video ``frame`` spans, both its ends rounded to the
    video's clock: an in-between spanning none would still be shown once, lengthening the video."""
    start = sum(f.duration_ms for f in frames[: frames.index(frame)])
    return round_half_up((start + frame.duration_ms) * fps / 1000) - round_half_up(start * fps / 1000)


def round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def test_in_between_moves_shades_and_lines_only() -> None:
    timeline = _sweep(2)
    first, nxt = timeline.steps[0].overlay, timeline.steps[1].overlay
    middle = interpolate(first, nxt, 0.25)
    shade, line, label = middle.items
    assert isinstance(shade, Shade) and isinstance(line, Line)
    before, after = first.items[0], nxt.items[0]
    assert isinstance(before, Shade) and isinstance(after, Shade)
    for got, a, b in zip(shade.corners, before.corners, after.corners):
        assert got == pytest.approx(tuple(p + (q - p) * 0.25 for p, q in zip(a, b)))
    assert line.points[0] == pytest.approx((0.25, 0.0, 0.0))
    assert label is first.items[2]


def test_ease_in_out() -> None:
    assert ease(0.0) == 0.0 and ease(1.0) == 1.0
    for t in (0.1, 0.25, 0.4):
        assert ease(t) + ease(1 - t) == pytest.approx(1.0)
        assert ease(t) < t  # slow start
    slopes = [ease(t + 1e-3) - ease(t) for t in (0.0, 0.5)]
    assert slopes[0] < slopes[1]


@pytest.mark.parametrize("kw", [{"smooth": False}, {"fps": None}])
def test_no_glide_without_fps_or_smooth(kw: dict) -> None:
    timeline = _sweep(3)
    options = {"fps": 30, **kw}
    assert len(list(expand(timeline, **options))) == len(timeline.steps)


def test_no_glide_when_timeline_says_so_or_nothing_moves() -> None:
    assert len(list(expand(_sweep(3, glide=False), fps=30))) == 3
    still = Step(Picture(items=(Shade(_square(0, 0)),)))
    assert len(list(expand(Timeline(Picture(), (still, still, still)), fps=30))) == 3


def test_items_glide_only_when_order_and_type_match() -> None:
    a = Picture(items=(Shade(_square(0, 0)), Line(((0, 0, 0), (1, 1, 0)))))
    b = Picture(items=(Line(((5, 0, 0), (1, 1, 0))), Shade(_square(3, 0))))
    assert len(list(expand(Timeline(Picture(), (Step(a), Step(b))), fps=30))) == 2


def test_expansion_is_lazy() -> None:
    step = Step(Picture(items=(Shade(_square(0, 0)),)))
    moved = Step(Picture(items=(Shade(_square(1, 0)),)))
    huge = Timeline(Picture(), (step, moved) * 200_000)
    frames = expand(huge, fps=60)
    assert isinstance(frames, Iterator)
    first = list(itertools.islice(frames, 3))
    assert [f.step_index for f in first] == [0, 0, 0]


@pytest.mark.parametrize("fps", [0, -5, math.nan, 1000, "30"])
def test_bad_fps_is_refused_at_once(fps: object) -> None:
    with pytest.raises(ValueError, match="fps"):
        expand(_sweep(2), fps=fps)  # type: ignore[arg-type]


def test_bad_timelines_are_refused() -> None:
    with pytest.raises(ValueError, match="steps"):
        expand(Timeline(Picture(), ()))
    with pytest.raises(ValueError, match="hold_ms"):
        expand(Timeline(Picture(), (Step(Picture(), hold_ms=0),)))
    with pytest.raises(ValueError, match="hold_end_ms"):
        expand(Timeline(Picture(), (Step(Picture()),), hold_end_ms=-1))


def test_a_list_of_steps_changed_between_renders_is_read_again() -> None:
    """A tuple's or a Lazy's steps are checked once and their holds kept; a list may change
    between two renders, so it is read (and checked) every time."""
    from dataclasses import replace as changed

    from convanim.picture.timeline import step_durations

    timeline = _sweep(3)
    steps = list(timeline.steps)
    listed = changed(timeline, steps=steps)
    first = step_durations(listed)
    steps.append(steps[-1])
    assert len(step_durations(listed)) == len(first) + 1
    steps[0] = changed(steps[0], hold_ms=0)
    with pytest.raises(ValueError, match=r"steps\[0\]\.hold_ms"):
        step_durations(listed)
