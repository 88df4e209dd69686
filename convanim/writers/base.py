"""The life cycle every format shares: validated frames in, a staged file committed or discarded.

A writer turns palette-index frames (``PIL.Image`` in mode ``"P"``, one theme palette, one size)
and their durations into a file. Frames arrive one at a time and are never all kept: each format
holds at most the frame it is about to write, so peak memory does not grow with the frame count.
The file is staged beside its target (:mod:`convanim.writers.staging`) and replaces it only when
the whole animation is complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import ClassVar, TypeVar

import numpy as np
from PIL import Image

from convanim.checks import check_fps, check_whole, is_whole
from convanim.drawing import Drawing
from convanim.errors import BadInput
from convanim.picture.timeline import tick_at
from convanim.signals import signals_deferred
from convanim.writers.staging import Staging

@dataclass(frozen=True)
class FormatInfo:
    """What one format is, declared once by its writer class (``info``) and read by everyone else.

    ``suffixes``: file suffixes that pick the format (lower case, ``""`` for none). ``mime_type``:
    how a browser or notebook shows the file (None for a folder). ``video``: played at one constant
    frame rate, ``rate_fps`` unless told otherwise, with the kernel gliding and an even-sized
    canvas. ``folder``: a folder of files rather than one file. ``loops``: the file stores how many
    times it plays. ``rate_fps``: the constant rate a video or a frames folder plays at when no fps
    is given (None: each frame keeps its own duration). ``options``: keyword options only this
    format's writer takes (MP4's ``crf``). ``max_loop``: the most plays its loop field stores;
    ``max_frame_ms``: the longest one frame can last (None: no limit of the format's own).
    ``vector``: its writer takes :class:`~convanim.drawing.Drawing` s (a :class:`PageWriter`),
    not palette frames.
    """

    name: str
    suffixes: tuple[str, ...]
    mime_type: str | None
    video: bool = False
    folder: bool = False
    loops: bool = False
    rate_fps: float | None = None
    options: tuple[str, ...] = ()
    max_loop: int | None = None
    max_frame_ms: int | None = None
    vector: bool = False


#: The largest width or height any of the formats can store (GIF and APNG use 16-bit fields
#: for offsets and delays; keeping one limit for all formats keeps the formats interchangeable).
MAX_SIDE_PX = 65535


def ticks(start_ms: int, duration_ms: int, ticks_per_s: float) -> int:
    """How many ticks of a clock running at ``ticks_per_s`` a frame spans.

    Both ends of the frame are rounded to the clock (half up) rather than the duration alone, so
    rounding errors do not add up over a long animation: 33 ms frames become 3, 3, 4 centiseconds,
    not 3 cs each (10% fast). The caller applies any minimum.
    """
    return tick_at(start_ms + duration_ms, ticks_per_s) - tick_at(start_ms, ticks_per_s)


def changed_box(
    previous: np.ndarray | None, current: np.ndarray
) -> tuple[int, int, int, int] | None:
    """The (left, top, right, bottom) pixel box where ``current`` differs from ``previous``.

    The whole frame if there is no previous frame, None if nothing changed.
    """
    if previous is None:
        return (0, 0, current.shape[1], current.shape[0])
    diff = previous != current
    rows = np.flatnonzero(diff.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(diff[rows[0] : rows[-1] + 1].any(axis=0))
    return (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


#: Changed pixels further apart than this (rows, then columns) go in pictures of their own: a
#: kernel window, the output cell it writes and a panel of numbers are far apart on a figure.
SPLIT_GAP_PX = 12


def changed_boxes(previous: np.ndarray | None, current: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(left, top, right, bottom) boxes covering every pixel where ``current`` differs from
    ``previous`` (the whole frame without one): bands of changed rows, each cut into runs of
    changed columns, wherever :data:`SPLIT_GAP_PX` unchanged pixels part them."""
    if previous is None:
        return [(0, 0, current.shape[1], current.shape[0])]
    diff = previous != current
    boxes = []
    for top, bottom in _gap_runs(np.flatnonzero(diff.any(axis=1))):
        band = diff[top:bottom]
        for left, right in _gap_runs(np.flatnonzero(band.any(axis=0))):
            rows = np.flatnonzero(band[:, left:right].any(axis=1))
            boxes.append((left, top + int(rows[0]), right, top + int(rows[-1]) + 1))
    return boxes


def _gap_runs(positions: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) runs of sorted ``positions``, split where more than SPLIT_GAP_PX apart."""
    if positions.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(positions) > SPLIT_GAP_PX)
    starts, ends = np.r_[positions[0], positions[breaks + 1]], np.r_[positions[breaks], positions[-1]] + 1
    return [(int(a), int(b)) for a, b in zip(starts, ends)]


_W = TypeVar("_W", bound="StagedWriter")


class StagedWriter:
    """The life cycle every writer shares: validate options, stage the file as the first frame
    comes, commit it whole or discard it.

    Subclasses take frames in their own kind (``write``, counting them in ``_frame_count``) and
    implement ``_start`` (the temporary exists), ``_finish`` (return the final paths) and
    ``_abort`` (release handles after a failure; the base class deletes the temporary).
    """

    #: The format's facts; every registered writer class declares its own.
    info: ClassVar[FormatInfo]

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        fps: float | None = None,
        loop: int = 0,
    ) -> None:
        self.fps = None if fps is None else check_fps(fps)
        self.loop = check_whole("loop", loop, 0)
        if self.info.max_loop is not None and self.loop > self.info.max_loop:
            raise BadInput(f"loop: a {self.info.name} plays at most {self.info.max_loop:,} times, got {self.loop:,}")
        self.written: list[Path] = []
        self.size: tuple[int, int] = (0, 0)
        #: The theme palette as RGB bytes, taken from the first frame.
        self.palette = b""
        self._path = None if path is None else Path(path)
        self._staging: Staging | None = None
        self._elapsed_ms = 0
        self._frame_count = 0
        self._closed = False

    @classmethod
    def missing_backend(cls) -> str | None:
        """Why this format cannot be written here (a missing library or program), or None."""
        return None

    @classmethod
    def target(cls, path: Path) -> Path:
        """The file or folder actually written for a user's ``path``."""
        return path

    @property
    def temp(self) -> Path:
        """The temporary file or folder being written."""
        return self._open_staging().temp

    @property
    def destination(self) -> Path:
        """The file or folder the temporary becomes on success."""
        return self._open_staging().target

    def _open_staging(self) -> Staging:
        if self._staging is None:
            raise ValueError("writer: not open")
        return self._staging

    def open(self, path: str | os.PathLike[str], size: tuple[int, int]) -> None:
        """Stage a temporary beside ``path`` for frames of ``size`` = (width, height) pixels."""
        if self._staging is not None or self._closed:
            raise ValueError("writer: open may be called only once")
        if not (
            len(size) == 2 and all(is_whole(side) and 1 <= side <= MAX_SIDE_PX for side in size)
        ):
            raise ValueError(
                f"size: must be (width, height) in 1..{MAX_SIDE_PX} pixels, got {size!r}"
            )
        self.size = (size[0], size[1])
        try:
            with signals_deferred():  # a signal waits until discard knows the temporary and the backend
                self._staging = Staging(self.target(Path(path)), folder=self.info.folder)
                self._start()
        except BaseException:
            self.discard()
            raise

    def _opened(self, size: tuple[int, int]) -> None:
        """Open at the first frame, of ``size``; refuse a frame after close."""
        if self._closed:
            raise ValueError("writer: already closed")
        if self._staging is None:
            if self._path is None:
                raise ValueError("writer: call open(path, size) before write")
            self.open(self._path, size)

    def close(self) -> None:
        """Finish the file, move it into place and fill ``written``; on failure leave nothing."""
        if self._closed:
            return
        if self._staging is None or self._frame_count == 0:
            self.discard()
            raise ValueError("writer: no frames were written")
        try:
            written = self._finish()
            self._staging.commit()
        except BaseException:
            self.discard()
            raise
        self._closed = True
        self.written = written

    def discard(self) -> None:
        """Abandon the animation: release handles, delete the temporary, keep the old target."""
        if self._closed:
            return
        self._closed = True
        try:
            self._abort()
        finally:
            if self._staging is not None:
                self._staging.discard()

    def __enter__(self: _W) -> _W:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    def _start(self) -> None:
        """Prepare the backend once the temporary exists (``self.temp``)."""

    def _finish(self) -> list[Path]:
        raise NotImplementedError

    def _abort(self) -> None:
        """Release files and processes after a failure (must be safe to call twice)."""


class FrameWriter(StagedWriter):
    """A raster format: validated palette frames in. Subclasses implement ``_frame`` (one frame as
    a 2D uint8 array of palette indices)."""

    def write(self, frame: Image.Image, duration_ms: int) -> None:
        """Validate and add one frame (opening the writer at the first frame if needed)."""
        self._opened(frame.size)
        indices = self._check(frame, duration_ms)
        self._frame(indices, self._elapsed_ms, duration_ms)
        self._elapsed_ms += duration_ms
        self._frame_count += 1

    def _check(self, frame: Image.Image, duration_ms: int) -> np.ndarray:
        """The frame's palette indices, after checking the renderer -> writer contract."""
        check_whole("duration_ms", duration_ms, 1)
        if frame.mode != "P":
            raise ValueError(f"frame: mode must be 'P' (theme palette indices), got {frame.mode!r}")
        if frame.size != self.size:
            raise ValueError(
                f"frame: size must be {self.size} like the first frame, got {frame.size}"
            )
        palette = bytes(frame.getpalette("RGB") or b"")
        if not self.palette:
            if not 3 <= len(palette) <= 768:
                raise ValueError(
                    f"frame: palette must have 1..256 colours, got {len(palette) // 3}"
                )
            self.palette = palette
        elif palette != self.palette:
            raise ValueError("frame: palette must be the same for every frame of an animation")
        indices = np.asarray(frame)
        if int(indices.max()) >= len(self.palette) // 3:
            raise ValueError(
                f"frame: pixel index {int(indices.max())} is outside the "
                f"{len(self.palette) // 3}-colour palette"
            )
        return indices

    def close_part(self) -> Path:
        """Finish the frames written so far as a part another writer takes in (see
        :meth:`GifWriter.follow`), left in this writer's temporary, which is returned: the
        target is not touched, and the temporary is the taker's to delete."""
        if self._closed or self._staging is None:
            raise ValueError("writer: close_part needs an open writer")
        try:
            self._finish()
        except BaseException:
            self.discard()
            raise
        self._closed = True
        return self._staging.temp

    def _frame(self, indices: np.ndarray, start_ms: int, duration_ms: int) -> None:
        raise NotImplementedError



class PageWriter(StagedWriter):
    """A vector format: :class:`~convanim.drawing.Drawing` s in, one a step. Subclasses implement
    ``_page`` (one drawing, with when it starts and how long it stays)."""

    def write(self, drawing: Drawing, duration_ms: int) -> None:
        """Add one page (opening the writer at the first if needed); pages share one size."""
        check_whole("duration_ms", duration_ms, 1)
        self._opened((drawing.width, drawing.height))
        if (drawing.width, drawing.height) != self.size:
            raise ValueError(f"drawing: size must be {self.size} like the first, got {(drawing.width, drawing.height)}")
        self._page(drawing, self._elapsed_ms, duration_ms)
        self._elapsed_ms += duration_ms
        self._frame_count += 1

    def _page(self, drawing: Drawing, start_ms: int, duration_ms: int) -> None:
        raise NotImplementedError


class HeldFrameWriter(FrameWriter):
    """A format that stores a duration per frame: identical consecutive frames become one frame.

    A frame's duration must be known when it is written (GIF and APNG put it in a header before
    the pixels), so exactly one pending frame is held back until the next different frame
    arrives. Subclasses implement ``_emit`` with the box that changed since the frame before.
    """

    # Immutable class-level defaults, shadowed per instance as frames arrive.
    _held: np.ndarray | None = None  # the pending frame
    _held_start_ms = 0
    _held_ms = 0
    _shown: np.ndarray | None = None  # the last frame written, to crop the next one against
    #: Following another writer's last frame (:meth:`GifWriter.follow`): how long the frames that
    #: began this part, identical to that frame, lasted (the other writer's frame lasts longer).
    carry_ms = 0

    def _frame(self, indices: np.ndarray, start_ms: int, duration_ms: int) -> None:
        if self._held is not None and np.array_equal(self._held, indices):
            self._held_ms += duration_ms
            return
        if self._held is None and self._shown is not None and np.array_equal(self._shown, indices):
            self.carry_ms += duration_ms  # only when following: otherwise a frame is always held
            return
        self._release()
        self._held, self._held_start_ms, self._held_ms = indices, start_ms, duration_ms

    def _release(self) -> None:
        """Write the held frame, cropped to what changed since the last written frame."""
        if self._held is None:
            return
        box = changed_box(self._shown, self._held)
        assert box is not None  # identical frames were merged in _frame
        self._emit(self._held, box, self._held_start_ms, self._held_ms)
        self._shown, self._held = self._held, None

    def _finish(self) -> list[Path]:
        self._release()
        self._end(self._elapsed_ms)
        return [self.destination]

    def _emit(
        self, indices: np.ndarray, box: tuple[int, int, int, int], start_ms: int, duration_ms: int
    ) -> None:
        raise NotImplementedError

    def _end(self, end_ms: int) -> None:
        """Write the trailer and close the file; ``end_ms`` is the animation's total length."""
        raise NotImplementedError
