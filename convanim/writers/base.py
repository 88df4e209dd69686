"""The writer protocol, the format registry, and the atomic, streaming life cycle of every format.

A writer turns palette-index frames (``PIL.Image`` in mode ``"P"``, one theme palette, one size)
and their durations into a file. Frames arrive one at a time and are never all kept: each format
holds at most the frame it is about to write, so peak memory does not grow with the frame count.

Every file is written to a hidden temporary path beside the target and renamed over it only when
the whole animation is complete, so an exception or Ctrl-C leaves the previous file untouched and
nothing partial behind.
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Protocol, TypeVar

import numpy as np
from PIL import Image

#: The largest width or height any of the formats can store (GIF and APNG use 16-bit fields
#: for offsets and delays; keeping one limit for all formats keeps the formats interchangeable).
MAX_SIDE_PX = 65535


class Writer(Protocol):
    """What the renderer (or a notebook user) talks to: open, write frames, close.

    ``written`` lists the files produced, filled in by a successful ``close``.
    """

    written: list[Path]

    def open(self, path: Path, size: tuple[int, int]) -> None:
        """Start a file at ``path`` for frames of ``size`` = (width, height) pixels."""

    def write(self, frame: Image.Image, duration_ms: int) -> None:
        """Add one frame that stays on screen for ``duration_ms``."""

    def close(self) -> None:
        """Finish the file and move it into place."""

    def __enter__(self) -> Writer:
        """Use the writer in a ``with`` block."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close on success; on an exception discard the temporary file."""


#: Format name -> writer class, filled by ``@register``.
FORMATS: dict[str, type[FrameWriter]] = {}
#: File suffix (lower case, ``""`` for none) -> format name.
SUFFIXES: dict[str, str] = {}

W = TypeVar("W", bound="type[FrameWriter]")


def register(name: str, *, suffixes: tuple[str, ...] = ()) -> Callable[[W], W]:
    """Class decorator adding a writer to ``FORMATS`` under ``name`` and mapping ``suffixes`` to it.

    Registration is explicit (no discovery) and a name or suffix may be claimed only once, so the
    format chosen for a path never depends on import order.
    """

    def add(cls: W) -> W:
        if name in FORMATS:
            raise ValueError(f"name: format {name!r} is already registered")
        for suffix in suffixes:
            if suffix in SUFFIXES:
                raise ValueError(f"suffixes: {suffix!r} already belongs to {SUFFIXES[suffix]!r}")
            SUFFIXES[suffix] = name
        FORMATS[name] = cls
        return cls

    return add


def _allowed() -> str:
    """The formats and suffixes, for error messages that tell the user what would work."""
    shown = (
        f"{name} ({', '.join(s or 'no suffix' for s in _suffixes_of(name))})" for name in FORMATS
    )
    return ", ".join(shown)


def _suffixes_of(name: str) -> list[str]:
    return [suffix for suffix, owner in SUFFIXES.items() if owner == name]


def resolve_format(path: Path, format: str | None = None) -> str:
    """The format name for ``path``: ``format`` if given (it wins over the suffix), else by suffix.

    Raises ValueError for an unknown name or suffix, and for a known format whose backend is
    missing: writing another format instead would surprise whoever embeds the file.
    """
    if format is None:
        name = SUFFIXES.get(path.suffix.lower())
        if name is None:
            raise ValueError(
                f"path: cannot tell the format from the suffix {path.suffix!r}; "
                f"use one of: {_allowed()}"
            )
    else:
        name = format.lower()
        if name not in FORMATS:
            raise ValueError(f"format: {format!r} is not one of: {_allowed()}")
    missing = FORMATS[name].missing_backend()
    if missing:
        usable = ", ".join(n for n, cls in FORMATS.items() if not cls.missing_backend())
        raise ValueError(f"format: {name} cannot be written here ({missing}); usable: {usable}")
    return name


def open_writer(
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    fps: float | None = None,
    loop: int = 0,
    crf: int = 20,
) -> FrameWriter:
    """A writer for ``path``, to use as a context manager; it opens itself at the first frame.

    ``format`` (gif, mp4, webp, apng, png) overrides the suffix; ``png`` (or a path with the
    suffix ``.png`` or none) means a folder of frames. ``loop`` is how many times the animation
    plays: 0 = forever (the default), 1 = once, N = N times; video and frame folders cannot loop
    and ignore it. ``fps`` sets the constant frame rate of video (default 30) and, for a frames
    folder, repeats each frame for its duration; GIF, WebP and APNG store each frame's own
    duration and ignore it. ``crf`` is the H.264 quality of MP4 (0 = lossless, 51 = worst).
    The target's folder is checked now, so a bad path fails before any rendering starts.
    """
    target_path = Path(path)
    cls = FORMATS[resolve_format(target_path, format)]
    writer = cls(target_path, fps=fps, loop=loop, crf=crf)
    check_target(cls.target(target_path), folder=cls.folder)
    return writer


def check_target(target: Path, *, folder: bool = False) -> None:
    """Raise a one-line OSError unless ``target`` can be written now and may be replaced.

    Missing parent folders are created (asking for ``figs/a.gif`` means that); a real temporary
    file proves the folder is writable where permission bits do not tell (root, /proc, read-only
    mounts). A frames folder is replaced whole, so an existing folder holding anything but its own
    frames (``-o .``, ``-o ~/slides``) is refused rather than deleted with the user's files.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=target.parent):
            pass
    except OSError as exc:
        raise OSError(f"path: cannot write {target}: {exc.strerror or exc}") from None
    if target.exists() and target.is_dir() != folder:
        kind = "a folder" if target.is_dir() else "a file"
        raise OSError(f"path: cannot write {target}: it is {kind}")
    if folder and target.is_dir():
        own = f"{glob.escape(target.name)}_*.png"
        stranger = next((p for p in target.iterdir() if not (p.is_file() and p.match(own))), None)
        if stranger is not None:
            raise OSError(
                f"path: will not replace {target}: it holds other files ({stranger.name}), "
                f"not only frames {target.name}_000.png ...; choose a new folder"
            )


class Staging:
    """A hidden temporary file or folder beside ``target`` that replaces it only on ``commit``.

    Beside (same folder) so the final rename is atomic on one file system; hidden so a half-written
    animation never shows up in a file browser or a README preview.
    """

    def __init__(self, target: Path, *, folder: bool = False) -> None:
        self.target = target
        self.folder = folder
        check_target(target, folder=folder)
        self.temp = self._fresh_name("tmp")
        try:
            if folder:
                self.temp.mkdir()
            else:
                self.temp.open("xb").close()
        except OSError as exc:
            raise OSError(f"path: cannot write {target}: {exc.strerror}") from exc
        self._done = False

    def _fresh_name(self, tag: str) -> Path:
        """An unused hidden name beside the target (random, so parallel writers never collide)."""
        return self.target.with_name(f".{self.target.name}.{secrets.token_hex(4)}.{tag}")

    def commit(self) -> None:
        """Move the finished temporary into place (replacing an old target only now)."""
        if self._done:
            return
        try:
            if self.folder and self.target.exists():
                self._swap_folder()
            else:
                os.replace(self.temp, self.target)
        except BaseException:
            self.discard()
            raise
        self._done = True

    def _swap_folder(self) -> None:
        """Replace an existing folder: a folder cannot be renamed over a non-empty one."""
        old = self._fresh_name("old")
        os.replace(self.target, old)
        try:
            os.replace(self.temp, self.target)
        except BaseException:
            os.replace(old, self.target)
            raise
        shutil.rmtree(old)

    def discard(self) -> None:
        """Delete the temporary; the target is left as it was."""
        if self._done:
            return
        self._done = True
        if self.folder:
            shutil.rmtree(self.temp, ignore_errors=True)
        else:
            self.temp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike[str], *, folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` if the block succeeds.

    On any exception (KeyboardInterrupt included) the temporary is deleted and ``path`` is left as
    it was. ``folder=True`` stages a directory instead of a file.
    """
    staging = Staging(Path(path), folder=folder)
    try:
        yield staging.temp
    except BaseException:
        staging.discard()
        raise
    staging.commit()


def ticks(start_ms: int, duration_ms: int, ticks_per_s: float) -> int:
    """How many ticks of a clock running at ``ticks_per_s`` a frame spans.

    Both ends of the frame are rounded to the clock (half up) rather than the duration alone, so
    rounding errors do not add up over a long animation: 33 ms frames become 3, 3, 4 centiseconds,
    not 3 cs each (10% fast). The caller applies any minimum.
    """
    end_ms = start_ms + duration_ms
    return _round_half_up(end_ms * ticks_per_s / 1000) - _round_half_up(
        start_ms * ticks_per_s / 1000
    )


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


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


class FrameWriter:
    """Shared life cycle: validate options and frames, stage the file, commit or discard it.

    Subclasses implement ``_start`` (the temporary exists), ``_frame`` (one validated frame as a
    2D uint8 array of palette indices), ``_finish`` (return the final paths) and ``_abort``
    (release handles after a failure; the base class deletes the temporary).
    """

    #: True if the format is a folder of files rather than one file.
    folder: ClassVar[bool] = False

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        fps: float | None = None,
        loop: int = 0,
        crf: int = 20,
    ) -> None:
        if fps is not None and not (
            isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0
        ):
            raise ValueError(f"fps: must be a positive number, got {fps!r}")
        if not _is_int(loop) or loop < 0:
            raise ValueError(f"loop: must be an integer >= 0 (0 = forever), got {loop!r}")
        if not _is_int(crf) or not 0 <= crf <= 51:
            raise ValueError(f"crf: must be an integer from 0 to 51, got {crf!r}")
        self.fps = fps
        self.loop = loop
        self.crf = crf
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
            len(size) == 2 and all(_is_int(side) and 1 <= side <= MAX_SIDE_PX for side in size)
        ):
            raise ValueError(
                f"size: must be (width, height) in 1..{MAX_SIDE_PX} pixels, got {size!r}"
            )
        self.size = (size[0], size[1])
        self._staging = Staging(self.target(Path(path)), folder=self.folder)
        try:
            self._start()
        except BaseException:
            self._staging.discard()
            raise

    def write(self, frame: Image.Image, duration_ms: int) -> None:
        """Validate and add one frame (opening the writer at the first frame if needed)."""
        if self._closed:
            raise ValueError("writer: already closed")
        if self._staging is None:
            if self._path is None:
                raise ValueError("writer: call open(path, size) before write")
            self.open(self._path, frame.size)
        indices = self._check(frame, duration_ms)
        self._frame(indices, self._elapsed_ms, duration_ms)
        self._elapsed_ms += duration_ms
        self._frame_count += 1

    def _check(self, frame: Image.Image, duration_ms: int) -> np.ndarray:
        """The frame's palette indices, after checking the renderer -> writer contract."""
        if not _is_int(duration_ms) or duration_ms < 1:
            raise ValueError(f"duration_ms: must be a positive integer, got {duration_ms!r}")
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

    def __enter__(self) -> FrameWriter:
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

    def palette_rgb(self) -> np.ndarray:
        """The palette as an (n, 3) uint8 array, for turning index frames into RGB with numpy."""
        return np.frombuffer(self.palette, dtype=np.uint8).reshape(-1, 3)

    def _start(self) -> None:
        """Prepare the backend once the temporary exists (``self.temp``)."""

    def _frame(self, indices: np.ndarray, start_ms: int, duration_ms: int) -> None:
        raise NotImplementedError

    def _finish(self) -> list[Path]:
        raise NotImplementedError

    def _abort(self) -> None:
        """Release files and processes after a failure (must be safe to call twice)."""


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

    def _frame(self, indices: np.ndarray, start_ms: int, duration_ms: int) -> None:
        if self._held is not None and np.array_equal(self._held, indices):
            self._held_ms += duration_ms
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


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
