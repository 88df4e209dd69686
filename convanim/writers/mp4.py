"""H.264 MP4 through imageio-ffmpeg's ffmpeg, streamed frame by frame into its stdin.

Video has one constant frame rate, so a frame lasting ``duration_ms`` is sent as many times as
video frames fit in it. Odd sizes are padded by one background pixel (palette index 0) on the
right or bottom, because yuv420p needs even sides and rescaling would blur the thin lines.
After ffmpeg finishes, the file is decoded to count its frames: a bad video fails here, loudly,
instead of in a lecture hall.
"""

from __future__ import annotations

import shutil
from collections.abc import Generator
import os
from pathlib import Path
from typing import Any

import numpy as np

from convanim.checks import check_whole
from convanim.writers.base import FormatInfo, FrameWriter, ticks
from convanim.writers.formats import register

#: The frame rate when none is given: smooth glides at a size every player handles.
DEFAULT_FPS = 30.0
#: H.264 quality when none is given: visually lossless for flat diagrams, still small.
DEFAULT_CRF = 20
#: Background pixels are palette index 0 by the renderer's contract.
BACKGROUND_INDEX = 0
#: Output options: streamable (moov atom first), no metadata or timestamps (byte-identical
#: reruns), BT.709 colours tagged so browsers and players show the theme colours as drawn, and a
#: short x264 look-ahead: its frame queue (50 by default) is what ffmpeg's memory grows with, so a
#: 10-frame queue keeps memory flat from the first second (flat-colour diagrams lose nothing).
OUTPUT_PARAMS = [
    "-movflags", "+faststart",
    "-x264-params", "rc-lookahead=10",
    "-map_metadata", "-1",
    "-fflags", "+bitexact",
    "-flags:v", "+bitexact",
    "-vf", "scale=out_color_matrix=bt709:out_range=tv,"
    "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv",
    "-f", "mp4",
]  # fmt: skip


@register
class Mp4Writer(FrameWriter):
    """H.264 (libx264, yuv420p, CRF ``crf``: 0 lossless .. 51 worst) at ``fps`` (default 30);
    cannot loop."""

    info = FormatInfo("mp4", suffixes=(".mp4",), mime_type="video/mp4", video=True, rate_fps=DEFAULT_FPS,
                      options=("crf",))

    _ffmpeg: Generator[None, Any, None] | None = None
    _sent = 0

    def __init__(self, path: str | os.PathLike[str] | None = None, *, fps: float | None = None, loop: int = 0,
                 crf: int = DEFAULT_CRF) -> None:
        super().__init__(path, fps=fps, loop=loop)
        self.crf = check_whole("crf", crf, 0, 51)

    @classmethod
    def missing_backend(cls) -> str | None:
        try:
            exe = _ffmpeg_exe()
        except (ImportError, RuntimeError) as exc:
            return f"ffmpeg not found: {exc}"
        if shutil.which(exe) is None:
            return f"ffmpeg {exe} (IMAGEIO_FFMPEG_EXE?) is not an executable"
        return None

    @property
    def padded_size(self) -> tuple[int, int]:
        """The video size: each side rounded up to even."""
        width, height = self.size
        return (width + width % 2, height + height % 2)

    def _start(self) -> None:
        self._ffmpeg = _imageio_ffmpeg().write_frames(
            str(self.temp),
            self.padded_size,
            pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p",
            fps=self.fps or DEFAULT_FPS,
            quality=None,  # CRF is given below
            codec="libx264",
            macro_block_size=1,  # never rescale: the frames are already padded to even sides
            ffmpeg_log_level="error",
            output_params=["-crf", str(self.crf), *OUTPUT_PARAMS],
        )
        self._ffmpeg.send(None)

    def _frame(self, indices: np.ndarray, start_ms: int, duration_ms: int) -> None:
        assert self._ffmpeg is not None
        width, height = self.padded_size
        padded = np.full((height, width), BACKGROUND_INDEX, dtype=np.uint8)
        padded[: indices.shape[0], : indices.shape[1]] = indices
        rgb = self.palette_rgb()[padded].tobytes()
        for _ in range(max(1, ticks(start_ms, duration_ms, self.fps or DEFAULT_FPS))):
            self._ffmpeg.send(rgb)
            self._sent += 1

    def _finish(self) -> list[Path]:
        self._stop_ffmpeg()
        self._verify()
        return [self.destination]

    def _verify(self) -> None:
        """Decode the video and compare its frame count with the frames sent."""
        if self.temp.stat().st_size == 0:
            raise RuntimeError(f"ffmpeg wrote an empty file for {self.destination}")
        decoded, _ = _imageio_ffmpeg().count_frames_and_secs(str(self.temp))
        if decoded != self._sent:
            raise RuntimeError(
                f"ffmpeg wrote {decoded} frames for {self.destination}, expected {self._sent}"
            )

    def _stop_ffmpeg(self) -> None:
        """Close ffmpeg's input and wait for it to finish the file."""
        if self._ffmpeg is not None:
            ffmpeg, self._ffmpeg = self._ffmpeg, None
            ffmpeg.close()

    def _abort(self) -> None:
        self._stop_ffmpeg()


def _ffmpeg_exe() -> str:
    """The ffmpeg that imageio-ffmpeg will run (``IMAGEIO_FFMPEG_EXE`` first, then its own)."""
    return str(_imageio_ffmpeg().get_ffmpeg_exe())


def _imageio_ffmpeg() -> Any:
    """imageio-ffmpeg, imported only when video is wanted (it is untyped and slows start-up)."""
    import imageio_ffmpeg

    return imageio_ffmpeg
