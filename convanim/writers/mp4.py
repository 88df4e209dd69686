"""H.264 MP4 through imageio-ffmpeg's ffmpeg, streamed frame by frame into its stdin.

Video has one constant frame rate, so a frame lasting ``duration_ms`` is sent as many times as
video frames fit in it. Odd sizes are padded by one background pixel (palette index 0) on the
right or bottom, because yuv420p needs even sides and rescaling would blur the thin lines.
After ffmpeg finishes, it reads the file back and counts its frames: a bad or short video fails
here, loudly, instead of in a lecture hall.

ffmpeg is run here rather than through imageio-ffmpeg's writer, whose ffmpeg prints to the
terminal and whose errors hold the whole command: ffmpeg's messages go to a temporary file, and a
failure (a full disk, say) is one RenderError with ffmpeg's last message as its reason.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
import os
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import numpy as np

from convanim.checks import check_whole
from convanim.errors import RenderError
from convanim.writers.base import FormatInfo, FrameWriter, changed_boxes, ticks
from convanim.writers.formats import register

#: The frame rate when none is given: smooth glides at a size every player handles.
DEFAULT_FPS = 30.0
#: H.264 quality when none is given: visually lossless for flat diagrams, still small.
DEFAULT_CRF = 20
#: Background pixels are palette index 0 by the renderer's contract.
BACKGROUND_INDEX = 0
#: What ffmpeg reads: planar YUV 4:2:0, made here from the palette (see :class:`Yuv420`), so
#: ffmpeg neither converts nor queues RGB frames twice its size.
INPUT_PARAMS = ["-f", "rawvideo", "-vcodec", "rawvideo", "-pix_fmt", "yuv420p"]
#: Output options: streamable (moov atom first), no metadata or timestamps (byte-identical
#: reruns), BT.709 limited range tagged so browsers and players show the theme colours as drawn,
#: and a short x264 look-ahead: its frame queue (50 by default) is what ffmpeg's memory grows
#: with, so a 10-frame queue keeps memory flat from the first second (flat-colour diagrams lose
#: nothing).
OUTPUT_PARAMS = [
    "-movflags", "+faststart",
    "-x264-params", "rc-lookahead=10",
    "-map_metadata", "-1",
    "-fflags", "+bitexact",
    "-flags:v", "+bitexact",
    "-vf", "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv",
    "-f", "mp4",
]  # fmt: skip
#: BT.709 luma weights of red and blue (green's is the rest).
_KR, _KB = 0.2126, 0.0722
#: Chroma kept to 1/16 of a level until four samples are averaged.
_CHROMA_SCALE = 16


class Yuv420:
    """Palette-index frames as planar YUV 4:2:0 in BT.709 limited range, through lookup tables.

    Why here and not in ffmpeg: a frame is palette indices, so its luma is one table lookup per
    pixel, and each 2x2 block's chroma the mean of four table values: two pixels side by side
    are looked up together (their two indices as one 16-bit number), the rows of a block then
    added. ffmpeg converting RGB instead took a core's time at 1080p and queued frames twice as big.
    Frame after frame, only the 2x2 blocks that changed are converted again: a glide changes a
    window's worth of a 1080p frame, whose whole conversion took 6 ms.
    """

    def __init__(self, palette: bytes) -> None:
        rgb = np.frombuffer(palette, dtype=np.uint8).reshape(-1, 3).astype(float) / 255
        rgb = np.vstack([rgb, np.zeros((256 - len(rgb), 3))])
        r, g, b = rgb.T
        luma = _KR * r + (1 - _KR - _KB) * g + _KB * b
        self.luma = np.round(16 + 219 * luma).astype(np.uint8)
        cb = 128 + 224 * (b - luma) / (2 * (1 - _KB))
        cr = 128 + 224 * (r - luma) / (2 * (1 - _KR))
        cb16, cr16 = (np.round(c * _CHROMA_SCALE).astype(np.uint32) for c in (cb, cr))
        # Both chroma sums of a pixel pair in one word: Cb in the low 16 bits, Cr in the high.
        pair = np.arange(1 << 16)
        first, second = pair & 0xFF, pair >> 8
        self.pairs = (cb16[first] + cb16[second]) | ((cr16[first] + cr16[second]) << 16)
        self._last = np.empty((0, 0), dtype=np.uint8)  # the frame the planes hold
        self._planes = np.empty(0, dtype=np.uint8)  # Y, Cb, Cr one after the other

    def planes(self, indices: np.ndarray) -> memoryview:
        """The Y, Cb and Cr planes of an even-sided frame, one after the other (valid until the
        next call: the planes are updated in place)."""
        height, width = indices.shape
        if self._last.shape != indices.shape:
            self._last = indices.copy()
            self._planes = np.empty(height * width * 3 // 2, dtype=np.uint8)
            self._convert(indices, (0, height // 2, 0, width // 2))
        else:
            for left, top, right, bottom in changed_boxes(self._last, indices):
                self._convert(indices, (top // 2, (bottom + 1) // 2, left // 2, (right + 1) // 2))
            self._last[...] = indices
        return self._planes.data.toreadonly()

    def _convert(self, indices: np.ndarray, blocks: tuple[int, int, int, int]) -> None:
        """Convert the 2x2 blocks ``blocks`` of ``indices`` into the planes: block rows r0 up to
        r1, block columns c0 up to c1 (ends excluded)."""
        r0, r1, c0, c1 = blocks
        height, width = indices.shape
        area = height * width
        y = self._planes[:area].reshape(height, width)
        cb = self._planes[area: area * 5 // 4].reshape(height // 2, width // 2)
        cr = self._planes[area * 5 // 4:].reshape(height // 2, width // 2)
        part = indices[2 * r0: 2 * r1, 2 * c0: 2 * c1]
        y[2 * r0: 2 * r1, 2 * c0: 2 * c1] = self.luma[part]
        pairs = np.ascontiguousarray(part).view(np.uint16)  # (rows, columns / 2): a sum, either byte order
        sums = self.pairs[pairs]
        sums = sums[0::2] + sums[1::2]  # four samples of each 2x2 block
        half = 2 * _CHROMA_SCALE  # rounding, then the mean of four
        cb[r0:r1, c0:c1] = ((sums & 0xFFFF) + half) // (4 * _CHROMA_SCALE)
        cr[r0:r1, c0:c1] = ((sums >> 16) + half) // (4 * _CHROMA_SCALE)


@register
class Mp4Writer(FrameWriter):
    """H.264 (libx264, yuv420p, CRF ``crf``: 0 lossless .. 51 worst) at ``fps`` (default 30);
    cannot loop."""

    info = FormatInfo("mp4", suffixes=(".mp4",), mime_type="video/mp4", video=True, rate_fps=DEFAULT_FPS,
                      options=("crf",))

    _ffmpeg: subprocess.Popen[bytes] | None = None
    _messages: IO[bytes] | None = None  # ffmpeg's stderr
    _sent = 0
    _yuv: Yuv420 | None = None  # made from the first frame's palette

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
        self._messages = tempfile.TemporaryFile()  # noqa: SIM115  # lives as long as ffmpeg: closed in _end_ffmpeg
        # Its own session: Ctrl-C reaches convanim only, which then stops ffmpeg (see _abort).
        self._ffmpeg = subprocess.Popen(
            self._command(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._messages,
            start_new_session=True,
        )

    def _command(self) -> list[str]:
        """ffmpeg reading raw YUV 4:2:0 frames from stdin and writing H.264 to the temporary file."""
        width, height = self.padded_size
        rate = Fraction(self.fps or DEFAULT_FPS).limit_denominator()  # 24000/1001 stays exact
        return [
            _ffmpeg_exe(), "-y", *INPUT_PARAMS, "-s", f"{width}x{height}", "-r", str(rate), "-i", "-", "-an",
            "-vcodec", "libx264", "-pix_fmt", "yuv420p", "-v", "error", "-crf", str(self.crf),
            *OUTPUT_PARAMS, str(self.temp),
        ]  # fmt: skip

    def _frame(self, indices: np.ndarray, start_ms: int, duration_ms: int) -> None:
        width, height = self.padded_size
        if indices.shape != (height, width):
            padded = np.full((height, width), BACKGROUND_INDEX, dtype=np.uint8)
            padded[: indices.shape[0], : indices.shape[1]] = indices
            indices = padded
        if self._yuv is None:
            self._yuv = Yuv420(self.palette)
        planes = self._yuv.planes(indices)
        for _ in range(max(1, ticks(start_ms, duration_ms, self.fps or DEFAULT_FPS))):
            self._send(planes)
            self._sent += 1

    def _send(self, planes: memoryview) -> None:
        assert self._ffmpeg is not None and self._ffmpeg.stdin is not None
        try:
            self._ffmpeg.stdin.write(planes)
        except OSError:  # ffmpeg has stopped reading: its exit and last message say why
            self._end_ffmpeg()
            raise RenderError("ffmpeg stopped reading frames") from None

    def _finish(self) -> list[Path]:
        self._end_ffmpeg()
        self._verify()
        return [self.destination]

    def _verify(self) -> None:
        """Decode the video and compare its frame count with the frames sent."""
        if self.temp.stat().st_size == 0:
            raise RenderError(f"ffmpeg wrote an empty file for {self.destination}")
        decoded = _count_frames(self.temp)
        if decoded != self._sent:
            raise RenderError(f"ffmpeg wrote {decoded} frames for {self.destination}, expected {self._sent}")

    def _end_ffmpeg(self) -> None:
        """Close ffmpeg's input and wait for it to finish the file; a RenderError if it failed."""
        ffmpeg = self._ffmpeg
        if ffmpeg is None:
            return
        assert ffmpeg.stdin is not None and self._messages is not None
        with contextlib.suppress(OSError):  # it may have stopped reading: its exit status tells
            ffmpeg.stdin.close()
        status = ffmpeg.wait()
        self._ffmpeg = None  # only now: interrupted while waiting, _abort still has ffmpeg to kill
        self._messages.seek(0)
        messages = self._messages.read().decode(errors="replace")
        self._messages.close()
        if status != 0:
            raise RenderError(f"ffmpeg failed: {_last_message(messages) or f'exit status {status}'}")

    def _abort(self) -> None:
        if self._ffmpeg is not None:
            self._ffmpeg.kill()  # the file is abandoned: ffmpeg need not finish it
        with contextlib.suppress(RenderError):
            self._end_ffmpeg()


def _count_frames(path: Path) -> int:
    """The video frames of an MP4, read back by ffmpeg from its container (packets copied, not
    decoded: a 1080p video in milliseconds, where decoding it took a second of both cores)."""
    command = [_ffmpeg_exe(), "-v", "error", "-stats", "-i", str(path), "-map", "0:v:0", "-c", "copy",
               "-f", "null", "-"]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    counts = re.findall(r"frame=\s*(\d+)", done.stderr)
    if done.returncode != 0 or not counts:
        raise RenderError(f"ffmpeg cannot read the video back: {_last_message(done.stderr) or 'no frames'}")
    return int(counts[-1])


def _last_message(messages: str) -> str:
    """ffmpeg's last line, without the ``[out#0/mp4 @ 0x...]`` context in front: its reason."""
    lines = [line for line in messages.splitlines() if line.strip()]
    return re.sub(r"^(\[[^]]*\]\s*)+", "", lines[-1]).strip() if lines else ""


def _ffmpeg_exe() -> str:
    """The ffmpeg that imageio-ffmpeg will run (``IMAGEIO_FFMPEG_EXE`` first, then its own)."""
    return str(_imageio_ffmpeg().get_ffmpeg_exe())


def _imageio_ffmpeg() -> Any:
    """imageio-ffmpeg, imported only when video is wanted (it is untyped and slows start-up)."""
    import imageio_ffmpeg

    return imageio_ffmpeg
