"""A folder of numbered PNG frames plus a poster, for Beamer's ``animategraphics`` and editors.

The zero-padding width depends on the frame count, known only at the end, so frames are written
under plain numbers in the staging folder and renamed at close (cheap, inside one folder).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from convanim.writers.base import FormatInfo, FrameWriter, ticks
from convanim.writers.formats import register

#: Frame numbers have at least this many digits (name_000.png), more if the count needs them.
MIN_DIGITS = 3


@register
class PngFramesWriter(FrameWriter):
    """``name/name_000.png``... and ``name/name_poster.png`` (the last frame).

    Without ``fps`` each written frame is one file; with ``fps`` a frame is repeated for its
    duration at that rate, so the files play at a constant rate. ``loop`` does not apply.
    """

    info = FormatInfo("png", suffixes=(".png", ""), mime_type=None, folder=True, rate_fps=10.0)
    _count = 0
    _last_png = b""

    @classmethod
    def target(cls, path: Path) -> Path:
        """``out/conv.png`` and ``out/conv`` both mean the folder ``out/conv``."""
        return path.with_suffix("") if path.suffix.lower() == ".png" else path

    def _frame(self, indices: np.ndarray, start_ms: int, duration_ms: int) -> None:
        self._last_png = self._encode(indices)
        repeats = 1 if self.fps is None else max(1, ticks(start_ms, duration_ms, self.fps))
        for _ in range(repeats):
            (self.temp / f"{self._count}.png").write_bytes(self._last_png)
            self._count += 1

    def _encode(self, indices: np.ndarray) -> bytes:
        image = Image.fromarray(indices)
        image.putpalette(self.palette)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    def _finish(self) -> list[Path]:
        frames = number_files(self.temp, self.destination, self._count, ".png")
        poster = f"{self.destination.name}_poster.png"
        (self.temp / poster).write_bytes(self._last_png)
        return [*frames, self.destination / poster]


def number_files(temp: Path, destination: Path, count: int, suffix: str) -> list[Path]:
    """Rename the ``count`` files ``0<suffix>`` ... in the staging folder ``temp`` to
    ``NAME_000<suffix>`` ... (NAME: the destination folder's), with as many digits as the count
    needs; return their final paths."""
    digits = max(MIN_DIGITS, len(str(count - 1)))
    names = [f"{destination.name}_{number:0{digits}d}{suffix}" for number in range(count)]
    for number, final in enumerate(names):
        (temp / f"{number}{suffix}").rename(temp / final)
    return [destination / final for final in names]
