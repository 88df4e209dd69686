"""A long GIF drawn on two cores: the second half of its frames in a forked process.

Why: drawing a frame is Python, so one render uses one core however many the machine has, and a
1,024-step sweep takes seconds of it. A GIF frame depends only on the frame before it (what it
crops and makes transparent against), so the second half can be drawn and encoded apart: the
child draws the last frame of the first half too, follows it (:meth:`GifWriter.follow`), and
writes its frames' blocks to a part file; the parent draws the first half into the real writer
and takes the part in after its last frame (:meth:`GifWriter.take_blocks`). The file is the one a
single process writes, byte for byte.

The part is the child writer's own temporary beside the target (:meth:`FrameWriter.close_part`),
named with the child's process id: removed here on every way out, by the child's writer when it
fails, and by the next run when both processes are killed outright.
"""

from __future__ import annotations

import os
import signal
import threading
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from convanim.errors import RenderError
from convanim.picture import Timeline
from convanim.renderer import CanvasSpec, Renderer, Theme
from convanim.writers.gif import GifWriter

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: Fewer frames than this are drawn in one process: a fork and a second fit cost ~0.1 s.
SPLIT_FROM_FRAMES = 200


def worth_splitting(frame_count: int) -> bool:
    """Whether a GIF of ``frame_count`` frames is drawn in two halves here."""
    if frame_count < SPLIT_FROM_FRAMES:
        return False
    import multiprocessing  # only now: a short render does without it

    return (
        (os.cpu_count() or 1) >= 2
        and "fork" in multiprocessing.get_all_start_methods()
        and multiprocessing.parent_process() is None  # not inside a pool's worker
        and threading.active_count() == 1  # forking beside other threads (a notebook's) is unsafe
    )


def draw_in_halves(
    timeline: Timeline, writer: GifWriter, target: Path, durations: list[int], theme: Theme, canvas: CanvasSpec
) -> None:
    """Write the steps of ``timeline``, one frame each held ``durations`` (see
    :func:`~convanim.picture.timeline.step_durations`), to ``writer`` (of ``target``), the second
    half drawn by a child process."""
    cut = len(durations) // 2
    starts = [0, *accumulate(durations)]
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_second_half, args=(timeline, durations, cut, starts[cut], target, sender, theme,
                                                       canvas), daemon=True)
    child.start()
    sender.close()
    part: Path | None = None
    try:
        renderer = Renderer(timeline, theme, canvas)
        for k in range(cut):
            writer.write(renderer.frame(timeline.steps[k].overlay), durations[k])
        part, carry_ms, failure = _outcome(receiver)
        child.join()
        if part is None:
            raise RenderError(f"drawing the second half failed: {failure}")
        writer.take_blocks(part, carry_ms, starts[-1])
    finally:
        if child.is_alive():
            child.terminate()
            child.join()
        receiver.close()
        if part is not None:
            part.unlink(missing_ok=True)


def _outcome(receiver: Connection) -> tuple[Path | None, int, str]:
    """(the part, how long its first frames carried the first half's last one, why it failed)."""
    try:
        part, carry_ms, failure = receiver.recv()
    except EOFError:  # the child died without a word (killed, out of memory)
        return None, 0, "the drawing process ended"
    return part, int(carry_ms), failure


def _second_half(
    timeline: Timeline, durations: list[int], cut: int, start_ms: int, target: Path, sender: Connection,
    theme: Theme, canvas: CanvasSpec,
) -> None:
    """The child: follow the first half's last frame, then draw and encode the rest as a part."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the parent ends us
    writer = GifWriter(target)
    try:
        renderer = Renderer(timeline, theme, canvas)
        last = renderer.frame(timeline.steps[cut - 1].overlay)
        writer.follow(np.asarray(last), bytes(last.getpalette("RGB") or b""), start_ms)
        for k in range(cut, len(durations)):
            writer.write(renderer.frame(timeline.steps[k].overlay), durations[k])
        sender.send((writer.close_part(), writer.carry_ms, ""))
    except BaseException as exc:  # reported, never raised: the parent decides
        writer.discard()
        sender.send((None, 0, f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()
