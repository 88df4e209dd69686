"""Animated PNG written chunk by chunk, so memory stays flat however many frames there are.

Pillow's APNG ``save_all`` keeps every frame until the end. The format is small enough to write
directly: IHDR, PLTE, acTL (frame count patched at close), then per frame an fcTL and its
compressed rows (IDAT for the first frame, fdAT after), and IEND.
"""

from __future__ import annotations

import math
import struct
import zlib
from typing import BinaryIO

import numpy as np

from convanim.writers.base import FormatInfo, HeldFrameWriter
from convanim.writers.formats import register

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: zlib level: 9 costs little on flat, palette-index pictures and gives the smallest files.
ZLIB_LEVEL = 9
#: fcTL dispose_op NONE and blend_op SOURCE: a frame's box replaces those pixels and stays.
DISPOSE_NONE = 0
BLEND_SOURCE = 0
MAX_DELAY = 0xFFFF
#: acTL's num_plays is a 32-bit field.
MAX_PLAYS = 0xFFFFFFFF


def chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def delay_fraction(duration_ms: int) -> tuple[int, int]:
    """The fcTL delay as (numerator, denominator) seconds, exact and within 16 bits."""
    common = math.gcd(duration_ms, 1000)
    numerator, denominator = duration_ms // common, 1000 // common
    if numerator > MAX_DELAY:
        raise ValueError(
            f"duration_ms: an APNG frame lasts at most {MAX_DELAY} ms "
            f"(or whole seconds up to {MAX_DELAY} s), got {duration_ms}"
        )
    return numerator, denominator


@register
class ApngWriter(HeldFrameWriter):
    """Animated PNG (8-bit palette); ``loop`` 0 = forever, N = N plays (APNG's num_plays)."""

    info = FormatInfo("apng", suffixes=(".apng",), mime_type="image/png", loops=True, max_loop=MAX_PLAYS,
                      max_frame_ms=MAX_DELAY)

    _file: BinaryIO | None = None
    _actl_offset = 0
    _sequence = 0
    _emitted = 0

    def _start(self) -> None:
        self._file = self.temp.open("wb")

    def _emit(
        self, indices: np.ndarray, box: tuple[int, int, int, int], start_ms: int, duration_ms: int
    ) -> None:
        assert self._file is not None
        if self._shown is None:
            self._write_head()
        left, top, right, bottom = box
        numerator, denominator = delay_fraction(duration_ms)
        control = struct.pack(
            ">IIIIIHHBB", self._sequence, right - left, bottom - top, left, top,
            numerator, denominator, DISPOSE_NONE, BLEND_SOURCE,
        )  # fmt: skip
        self._file.write(chunk(b"fcTL", control))
        self._sequence += 1
        data = compress_rows(indices[top:bottom, left:right])
        if self._shown is None:
            self._file.write(chunk(b"IDAT", data))
        else:
            self._file.write(chunk(b"fdAT", struct.pack(">I", self._sequence) + data))
            self._sequence += 1
        self._emitted += 1

    def _write_head(self) -> None:
        """Signature, header, the theme palette and an acTL whose frame count close() fills in."""
        assert self._file is not None
        width, height = self.size
        self._file.write(PNG_SIGNATURE)
        self._file.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)))
        self._file.write(chunk(b"PLTE", self.palette))
        self._actl_offset = self._file.tell()
        self._file.write(self._actl())

    def _actl(self) -> bytes:
        return chunk(b"acTL", struct.pack(">II", self._emitted, self.loop))

    def _end(self, end_ms: int) -> None:
        assert self._file is not None
        self._file.write(chunk(b"IEND", b""))
        self._file.seek(self._actl_offset)
        self._file.write(self._actl())
        self._file.close()

    def _abort(self) -> None:
        if self._file is not None:
            self._file.close()


def compress_rows(indices: np.ndarray) -> bytes:
    """zlib stream of the rows, each prefixed by filter type 0 (none: best for palette images)."""
    height, width = indices.shape
    rows = np.zeros((height, width + 1), dtype=np.uint8)
    rows[:, 1:] = indices
    return zlib.compress(rows.tobytes(), ZLIB_LEVEL)
