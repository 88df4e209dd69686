"""Expanding a Timeline into the frames to draw, with their durations.

For a GIF on a slide, one frame per step, held for the step's time (plus the start and end holds
on the first and last step). For video, the same steps plus *in-between* frames at the video frame
rate that glide the kernel window (and the projector lines, and boxes) from one position to the
next with ease-in-out, so a 30 fps MP4 moves smoothly. Gliding never changes the total duration:
the glide takes the last part of a step's hold, and frame times are rounded on one global clock so
rounding errors never accumulate.

Frames are produced lazily, one at a time; nothing here holds more than two steps.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from convanim.checks import check_fps, check_text, check_whole
from convanim.picture.lazy import Lazy, mapped
from convanim.picture.items import Box, Item, Label, Line, Picture, Point3, Shade, Timeline

#: Part of a step's hold spent gliding to the next step, and the longest glide.
GLIDE_SHARE = 0.5
GLIDE_MAX_MS = 400


@dataclass(frozen=True)
class Frame:
    """One frame: the overlay to draw over the background, for how long, and which step it shows
    (an in-between frame belongs to the step it leaves; ``progress`` is its eased position)."""

    overlay: Picture
    duration_ms: int
    step_index: int
    progress: float = 0.0


def without_text(timeline: Timeline) -> Timeline:
    """The bare figure: no title, caption or formula in any of its pictures, the background's or
    a step's own (a step's caption, such as a phase's, replaces the background's on screen).

    A slide sets the text as real text (large, searchable, read by screen readers), so drawing it
    into the picture as well would only repeat it, smaller.
    """
    def bare(picture: Picture) -> Picture:
        return replace(picture, title="", caption="", formula="")

    steps = mapped(timeline.steps, lambda step: replace(step, overlay=bare(step.overlay)))
    return replace(timeline, background=bare(timeline.background), steps=steps)


def step_durations(timeline: Timeline) -> list[int]:
    """How long each step is on screen: its hold, plus the start/end holds on the first/last."""
    durations = list(_holds(timeline))
    durations[0] += timeline.hold_start_ms
    durations[-1] += timeline.hold_end_ms
    return durations


def total_ms(timeline: Timeline) -> int:
    """Length of the whole animation; every expansion of the timeline sums to this."""
    return sum(step_durations(timeline))


def check_timeline(timeline: Timeline) -> None:
    """Refuse timelines no renderer can play. A timeline passed is remembered while it lives:
    a long sweep's steps are made as they are read, and every stage of a render asks."""
    _holds(timeline)


def _holds(timeline: Timeline) -> tuple[int, ...]:
    """The steps' holds of ``timeline``, read in the pass that checks it, and kept when its
    steps cannot change (a tuple or a Lazy; a list of steps may be changed between renders)."""
    known = _checked.get(id(timeline))
    if known is not None and known[0]() is timeline:
        return known[1]
    if not timeline.steps:
        raise ValueError("timeline.steps: a timeline needs at least one step")
    _check_texts("background", timeline.background)
    for name in ("hold_start_ms", "hold_end_ms"):
        check_whole(f"timeline.{name}", getattr(timeline, name), 0)
    read = []
    for index, step in enumerate(timeline.steps):
        _check_texts(f"steps[{index}]", step.overlay)
        read.append(check_whole(f"steps[{index}].hold_ms", step.hold_ms, 1))
    holds, key = tuple(read), id(timeline)
    if not isinstance(timeline.steps, (tuple, Lazy)):
        return holds

    def forget(gone: weakref.ref[Timeline]) -> None:
        if key in _checked and _checked[key][0] is gone:
            del _checked[key]

    _checked[key] = (weakref.ref(timeline, forget), holds)
    return holds


#: Timelines that passed :func:`check_timeline`, by id (Timelines compare by value, and hashing a
#: long sweep's would make every step), with their steps' holds.
_checked: dict[int, tuple[weakref.ref[Timeline], tuple[int, ...]]] = {}


def _check_texts(where: str, picture: Picture) -> None:
    """Refuse text no picture can lay out: control characters (a caption and a formula may break
    lines; a title and a label are one line each)."""
    check_text(f"{where}.title", picture.title)
    check_text(f"{where}.caption", picture.caption, keep="\n")
    check_text(f"{where}.formula", picture.formula, keep="\n")
    for item in picture.items:
        if isinstance(item, Label):
            check_text(f"{where} label", item.text, keep="\n")  # a panel of lines is one label


def expand(timeline: Timeline, fps: float | None = None, smooth: bool = True) -> Iterator[Frame]:
    """The frames of ``timeline``: one per step, plus glide in-betweens when ``fps`` is given,
    ``smooth`` is on and the timeline asks for ``glide``. Arguments are checked now, frames made
    as they are taken."""
    durations = step_durations(timeline)
    if fps is not None:
        check_fps(fps)
    return _frames(timeline, durations, fps if smooth and timeline.glide else None)


def _frames(timeline: Timeline, durations: list[int], glide_fps: float | None) -> Iterator[Frame]:
    steps = timeline.steps
    start_ms = end_ms = 0  # where the step's first frame begins and its last ends, on one clock
    for index, (step, duration_ms) in enumerate(zip(steps, durations)):
        end_ms += duration_ms
        following = steps[index + 1].overlay if index + 1 < len(steps) else None
        between: list[tuple[float, int]] = []
        if glide_fps is not None and following is not None and _moves(step.overlay, following):
            between = _glide_starts(start_ms, end_ms, step.hold_ms, glide_fps)
        starts = [start_ms, *(at for _, at in between), end_ms]
        yield Frame(step.overlay, starts[1] - starts[0], index)
        for (progress, at), until in zip(between, starts[2:]):
            assert following is not None
            yield Frame(interpolate(step.overlay, following, progress), until - at, index, progress)
        start_ms = end_ms


def _glide_starts(start_ms: int, end_ms: int, hold_ms: int, fps: float) -> list[tuple[float, int]]:
    """(eased progress, start_ms) of each in-between frame of the glide ending a step that runs
    from ``start_ms`` to ``end_ms`` (none if too short).

    Each in-between starts on a tick of the animation's own ``fps`` clock and spans exactly one
    tick, so a constant-rate video shows each once and the glide takes its time from the hold:
    a frame shorter than a tick would still be sent as a whole video frame, lengthening the video.
    The step's first frame keeps at least one tick.
    """
    glide_ms = min(GLIDE_MAX_MS, GLIDE_SHARE * hold_ms)
    last_tick = tick_at(end_ms, fps)
    count = min(round(glide_ms * fps / 1000), last_tick - tick_at(start_ms, fps))
    if count < 2:
        return []
    first_tick = last_tick - count + 1
    return [(ease(k / count), round((first_tick + k - 1) * 1000 / fps)) for k in range(1, count)]


def tick_at(ms: int, ticks_per_s: float) -> int:
    """The tick of a clock running at ``ticks_per_s`` nearest to ``ms`` (half up): where a frame
    starting at ``ms`` lands on a constant-rate video's frame clock, or a GIF's centiseconds."""
    return math.floor(ms * ticks_per_s / 1000 + 0.5)


def ease(t: float) -> float:
    """Ease-in-out (smoothstep): starts and stops gently, symmetric about the middle."""
    return t * t * (3.0 - 2.0 * t)


def _pairs(a: Picture, b: Picture) -> Iterator[tuple[Item, Item | None]]:
    """Items of ``a`` with the item of ``b`` at the same position when it can glide to it."""
    for index, item in enumerate(a.items):
        other = b.items[index] if index < len(b.items) else None
        yield item, other if _glides(item, other) else None


def _glides(a: Item, b: Item | None) -> bool:
    """Same type and same shape: Shade and Line corners, Box origin and size."""
    if isinstance(a, Shade) and isinstance(b, Shade):
        return len(a.corners) == len(b.corners)
    if isinstance(a, Line) and isinstance(b, Line):
        return len(a.points) == len(b.points)
    return isinstance(a, Box) and isinstance(b, Box)


def _moves(a: Picture, b: Picture) -> bool:
    """Whether anything would glide between the two overlays."""
    return any(other is not None and other != item for item, other in _pairs(a, b))


def interpolate(a: Picture, b: Picture, t: float) -> Picture:
    """Overlay ``a`` with its gliding items moved a fraction ``t`` of the way to ``b``'s."""
    items = tuple(item if other is None else _lerp_item(item, other, t) for item, other in _pairs(a, b))
    return replace(a, items=items)


def _lerp_item(a: Item, b: Item, t: float) -> Item:
    if isinstance(a, Shade) and isinstance(b, Shade):
        return replace(a, corners=_lerp_points(a.corners, b.corners, t))
    if isinstance(a, Line) and isinstance(b, Line):
        return replace(a, points=_lerp_points(a.points, b.points, t))
    if isinstance(a, Box) and isinstance(b, Box):
        origin, size = _lerp_points((a.origin, a.size), (b.origin, b.size), t)
        return replace(a, origin=origin, size=size)
    raise TypeError(f"cannot glide {type(a).__name__}")


def _lerp_points(a: Sequence[Point3], b: Sequence[Point3], t: float) -> tuple[Point3, ...]:
    return tuple(
        (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t, p[2] + (q[2] - p[2]) * t) for p, q in zip(a, b)
    )
